/// User text (a prompt) quoted in a log line. A 5,000-character prompt logged whole buries the lines
/// around it, and a line break inside it splits one log line into several, so the quote is kept short
/// and on one line; the full length is stated so a reader knows there was more.
public enum LogText {
    public static let defaultLimit = 80

    /// `text` as is when it has at most `limit` characters (control characters shown as spaces);
    /// otherwise its first `limit` characters, "…" and the full length: `a red circle… (5000 characters)`.
    public static func shortened(_ text: String, limit: Int = defaultLimit) -> String {
        let oneLine = String(text.map { $0.unicodeScalars.contains { $0.properties.generalCategory == .control } ? " " : $0 })
        guard oneLine.count > limit else { return oneLine }
        var head = oneLine.prefix(max(0, limit))
        while head.last == " " { head = head.dropLast() }
        return "\(head)… (\(text.count) characters)"
    }
}

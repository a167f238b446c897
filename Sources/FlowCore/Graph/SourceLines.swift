/// A file's lines as YAML counts them: a line ends at "\n", "\r\n", a lone "\r", NEL, LS or PS.
/// Positions come from libyaml, so quoting the line a diagnostic points at must split where it does;
/// splitting on "\n" alone put the caret on the wrong line of a file with old Mac line ends.
enum SourceLines {
    static func split(_ text: String) -> [Substring] {
        text.split(omittingEmptySubsequences: false, whereSeparator: isBreak)
    }

    static func isBreak(_ c: Character) -> Bool {
        c == "\n" || c == "\r\n" || c == "\r" || c == "\u{85}" || c == "\u{2028}" || c == "\u{2029}"
    }

    /// The place just after the last character, where a "found the end of the file" error belongs.
    static func end(of text: String, file: String) -> SourceLocation {
        let lines = split(text)
        return SourceLocation(file: file, line: lines.count, column: (lines.last?.unicodeScalars.count ?? 0) + 1)
    }
}

import Foundation

/// Checks what a viewer sends: one JSON object per text message, `{"type": "prompt", "text": "..."}`.
/// A prompt switch re-caches the K/V window and flushes queued blocks, so prompts are bounded in
/// length and in rate (across all viewers: they all steer the same run). Anything else is rejected
/// with a reason that goes back to the viewer and into the log.
struct PromptGate: Sendable {
    static let maxLength = 300
    /// At most one accepted prompt per this many seconds, whoever sends it.
    var minInterval: Double = 1.0
    private var lastAccepted: Double?

    init(minInterval: Double = 1.0) { self.minInterval = minInterval }

    enum Verdict: Equatable, Sendable {
        case prompt(String)
        case rejected(String)
    }

    /// `now` in seconds on any monotonic clock.
    mutating func check(_ message: String, now: Double) -> Verdict {
        guard let data = message.data(using: .utf8),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            return .rejected("not a JSON object")
        }
        guard let type = object["type"] as? String else { return .rejected("missing \"type\"") }
        guard type == "prompt" else { return .rejected("unknown message type '\(type.prefix(40))'") }
        guard let raw = object["text"] as? String else { return .rejected("\"text\" must be a string") }
        let text = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        if text.isEmpty { return .rejected("empty prompt") }
        if text.count > Self.maxLength { return .rejected("prompt longer than \(Self.maxLength) characters") }
        // One line, as typed at a terminal: no control characters (newlines would split it in logs).
        if text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            return .rejected("control characters in prompt")
        }
        if let last = lastAccepted, now - last < minInterval {
            return .rejected(String(format: "too many prompts: one per %.1f s", minInterval))
        }
        lastAccepted = now
        return .prompt(text)
    }
}

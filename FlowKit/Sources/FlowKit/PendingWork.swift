/// A node that can hold work it has not done yet (a prompt waiting for its frame, a source block waiting for
/// its prompt) says what, so a test harness reports it at finish instead of a test passing on half a run.
public protocol ReportsPendingWork {
    /// One line per piece of unfinished work; empty when there is none.
    var pendingWork: [String] { get }
}

/// What was left when a harness finished, as swift-nio's EmbeddedChannel reports at `finish()`.
public struct HarnessLeftovers: Sendable, Equatable, CustomStringConvertible {
    /// Packets emitted on each output after the test last read that output.
    public var unreadOutputs: [String: Int]
    /// Packets fed (enqueued) that the node never processed.
    public var unprocessedInputs: Int
    /// The node's own account of unfinished work (`ReportsPendingWork`).
    public var pendingWork: [String]

    public var isClean: Bool { unreadOutputs.isEmpty && unprocessedInputs == 0 && pendingWork.isEmpty }

    public var description: String {
        if isClean { return "clean" }
        var parts: [String] = []
        for (port, n) in unreadOutputs.sorted(by: { $0.key < $1.key }) { parts.append("\(n) unread packet(s) on '\(port)'") }
        if unprocessedInputs > 0 { parts.append("\(unprocessedInputs) fed packet(s) never processed") }
        parts += pendingWork
        return parts.joined(separator: "; ")
    }
}

import Foundation

/// Prompts typed somewhere other than this process's terminal (the live preview's prompt box), for
/// `prompt.source` to emit exactly as it emits a typed line: a live switch for the next block.
///
/// One per process, because whoever types is outside the graph: `flowrun --serve` opens it before the
/// graph's nodes are created (a `prompt.source` created while it is open reads it) and closes it when
/// the video is done, which ends the source.
public final class PromptInbox: @unchecked Sendable {
    public static let shared = PromptInbox()

    private let condition = NSCondition()
    private var lines: [String] = []
    private var isOpenNow = false

    public init() {}

    /// Starts accepting prompts.
    public func open() { condition.withLock { isOpenNow = true; lines.removeAll() } }

    /// No more prompts will come: a reader ends once it has taken what is queued.
    public func close() {
        condition.withLock { isOpenNow = false }
        condition.broadcast()
    }

    public var isOpen: Bool { condition.withLock { isOpenNow } }

    /// Queues a prompt; false when the inbox is closed.
    @discardableResult
    public func post(_ text: String) -> Bool {
        condition.withLock {
            guard isOpenNow else { return false }
            lines.append(text)
            condition.broadcast()
            return true
        }
    }

    enum Read: Equatable {
        case line(String)
        case nothingYet
        case closed
    }

    /// Waits up to `timeout` seconds for a prompt.
    func next(timeout: Double) -> Read {
        let deadline = Date(timeIntervalSinceNow: timeout)
        condition.lock()
        defer { condition.unlock() }
        while lines.isEmpty && isOpenNow {
            if !condition.wait(until: deadline) { break }
        }
        if !lines.isEmpty { return .line(lines.removeFirst()) }
        return isOpenNow ? .nothingYet : .closed
    }
}

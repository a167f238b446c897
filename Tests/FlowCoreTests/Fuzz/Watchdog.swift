import Foundation

/// Runs each fuzz case on a worker thread and waits at most `limit` for it, so a case that hangs fails
/// the test instead of hanging the suite. This is the one place the tests look at the clock.
final class Watchdog: Sendable {
    private let queue = DispatchQueue(label: "graph-fuzz-case")
    let limit: DispatchTimeInterval

    init(limit: DispatchTimeInterval) { self.limit = limit }

    /// The body's result, or nil when it ran past the limit (it is then left running: nothing can stop it).
    func run<T: Sendable>(_ body: @escaping @Sendable () -> T) -> T? {
        let done = DispatchSemaphore(value: 0)
        let slot = ResultSlot<T>()
        queue.async {
            slot.value = body()
            done.signal()
        }
        guard done.wait(timeout: .now() + limit) == .success else { return nil }
        return slot.value
    }
}

/// Written by the worker before it signals, read after the wait: the semaphore orders the two.
private final class ResultSlot<T>: @unchecked Sendable {
    var value: T?
}

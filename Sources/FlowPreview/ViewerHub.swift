import Dispatch
import Logging
import NIOCore
import Synchronization

/// The connected viewers. Generation hands it frames and status from its own threads; each viewer's
/// handler runs on its channel's event loop and keeps only the newest of each, so a slow or vanished
/// viewer costs one buffer and never a wait.
final class ViewerHub: Sendable {
    struct Viewer: Sendable {
        let eventLoop: any EventLoop
        let handler: NIOLoopBound<ViewerHandler>
    }

    static let maxViewers = 32

    /// The answer to a viewer's message, and whether it was a rejection (counted and logged).
    struct Reply: Sendable {
        var json: String
        var rejected: Bool
    }

    private let viewers = Mutex<[ObjectIdentifier: Viewer]>([:])
    private let closed = Mutex(false)
    let logger: Logger
    /// Answers a viewer's text message (a prompt) with the JSON reply to send back.
    let receive: @Sendable (String) -> Reply
    /// Counts for /metrics.
    let dropped = Atomic<Int>(0)
    let rejected = Atomic<Int>(0)

    init(logger: Logger, receive: @escaping @Sendable (String) -> Reply) {
        self.logger = logger
        self.receive = receive
    }

    var count: Int { viewers.withLock { $0.count } }
    var hasRoom: Bool { count < Self.maxViewers && !closed.withLock { $0 } }

    func add(_ handler: ViewerHandler, eventLoop: any EventLoop) {
        let v = Viewer(eventLoop: eventLoop, handler: NIOLoopBound(handler, eventLoop: eventLoop))
        viewers.withLock { $0[ObjectIdentifier(handler)] = v }
    }

    func remove(_ handler: ViewerHandler) { _ = viewers.withLock { $0.removeValue(forKey: ObjectIdentifier(handler)) } }

    func broadcastFrame(_ buffer: ByteBuffer) {
        for v in viewers.withLock({ Array($0.values) }) {
            v.eventLoop.execute { v.handler.value.offer(frame: buffer) }
        }
    }

    func broadcastStatus(_ json: String) {
        for v in viewers.withLock({ Array($0.values) }) {
            v.eventLoop.execute { v.handler.value.offer(status: json) }
        }
    }

    /// The run is over: every viewer gets `finalStatus`, then a normal close. Waits up to a second.
    func closeAll(finalStatus: String) {
        closed.withLock { $0 = true }
        let futures = viewers.withLock { Array($0.values) }.map { v in
            v.eventLoop.submit { v.handler.value.closeAfter(status: finalStatus, on: v.eventLoop) }.flatMap { $0 }
        }
        guard let first = futures.first else { return }
        let done = DispatchSemaphore(value: 0)
        EventLoopFuture.andAllComplete(futures, on: first.eventLoop).whenComplete { _ in done.signal() }
        _ = done.wait(timeout: .now() + 1)
    }
}

import Foundation
import FlowKit

/// This process's ends of the edges that cross ranks: for each edge it receives, a mailbox the receive node
/// takes from; for each edge it sends, the credits it holds (the edge's capacity, less what the consumer's rank
/// has not yet taken off its queue). Arriving messages are sorted here on the transport's thread.
public final class RankLinks: @unchecked Sendable {
    public let transport: RankTransport
    public var rank: Int { transport.rank }

    enum Entry {
        case data(EdgeHeader, ByteBuffer?)
        case end
    }

    /// One edge this rank sends on, and what the stats say about it.
    public struct Outbound: Sendable {
        public var name: String
        public var peer: Int
        public var capacity: Int
        var available: Int
        public var sent = 0
        public var maxInFlight = 0
        /// Sends that found no credit and waited for the consumer's rank.
        public var creditWaits = 0
        public var waitedNanos: UInt64 = 0
    }

    struct Inbound {
        var peer: Int
        /// At most the edge's capacity of packets (the producer's credits), and the end.
        var entries: [Entry] = []
        /// The receive node finished: what still arrives is acknowledged at once and dropped.
        var closed = false
    }

    private let lock = NSCondition()
    private var outbound: [Int: Outbound] = [:]
    private var inbound: [Int: Inbound] = [:]
    private var doneRanks = Set<Int>()
    private var tornDown = false
    private var remoteFailure: RunFailure?
    private var failureHandler: (@Sendable (RunFailure) -> Void)?

    public init(transport: RankTransport) {
        self.transport = transport
        transport.setReceiver { [unowned self] message, from in self.receive(message, from: from) }
    }

    func addOutbound(edge: Int, name: String, peer: Int, capacity: Int) {
        lock.withLock { outbound[edge] = Outbound(name: name, peer: peer, capacity: capacity, available: capacity) }
    }

    func addInbound(edge: Int, peer: Int) {
        lock.withLock { inbound[edge] = Inbound(peer: peer) }
    }

    /// Where a failure on another rank goes; one that arrived before this is set is handed over now.
    func onRemoteFailure(_ handler: @escaping @Sendable (RunFailure) -> Void) {
        let early: RunFailure? = lock.withLock {
            failureHandler = handler
            return remoteFailure
        }
        if let early { handler(early) }
    }

    public var outboundStats: [Int: Outbound] { lock.withLock { outbound } }

    // MARK: Sending (on the send node's thread)

    /// Waits for a credit, then queues the packet for the consumer's rank; returns how long it waited.
    /// Throws `Cancellation` on a hard stop.
    @discardableResult func send(_ packet: Packet, edge: Int) throws -> UInt64 {
        let message = try EdgeCodec.encode(packet, edge: edge)
        lock.lock()
        guard var link = outbound[edge] else { lock.unlock(); throw NodeError("edge \(edge) does not leave this rank") }
        var waited: UInt64 = 0
        if link.available == 0 && !doneRanks.contains(link.peer) {
            link.creditWaits += 1
            let t0 = monotonicNanos()
            while outbound[edge]!.available == 0 && !tornDown && !doneRanks.contains(link.peer) {
                _ = lock.wait(until: Date().addingTimeInterval(0.1))
            }
            waited = monotonicNanos() - t0
            link.waitedNanos += waited
            link.available = outbound[edge]!.available
        }
        if tornDown { outbound[edge] = link; lock.unlock(); throw Cancellation() }
        // A rank that said goodbye takes nothing more; what would go to it is dropped, as by a finished consumer.
        let peerGone = doneRanks.contains(link.peer)
        if !peerGone {
            link.available -= 1
            link.sent += 1
            link.maxInFlight = max(link.maxInFlight, link.capacity - link.available)
        }
        outbound[edge] = link
        lock.unlock()
        if !peerGone { transport.send(message, to: link.peer) }
        return waited
    }

    func sendEnd(edge: Int) {
        guard let peer = lock.withLock({ outbound[edge]?.peer }) else { return }
        transport.send(WireMessage(header: EdgeHeader(kind: .end, edge: edge).packed()), to: peer)
    }

    /// Tells every other rank that a node here failed.
    func broadcastFailure(_ failure: RunFailure) {
        var h = EdgeHeader(kind: .failure)
        h.failure = failure
        let bytes = h.packed()
        for r in 0..<transport.size where r != rank { transport.send(WireMessage(header: bytes), to: r) }
    }

    /// This rank's graph has finished: it sends nothing more after this.
    func broadcastDone() {
        let bytes = EdgeHeader(kind: .done).packed()
        for r in 0..<transport.size where r != rank { transport.send(WireMessage(header: bytes), to: r) }
    }

    /// Waits until every other rank has finished (or, after a hard stop, at most `limit` seconds).
    func waitForPeers(limit: TimeInterval? = nil) {
        let deadline = limit.map { Date().addingTimeInterval($0) } ?? .distantFuture
        lock.withLock {
            while doneRanks.count < transport.size - 1 && Date() < deadline { _ = lock.wait(until: min(deadline, Date().addingTimeInterval(0.1))) }
        }
    }

    /// A hard stop: nothing waits on another rank any more.
    func tearDown() {
        lock.withLock {
            tornDown = true
            lock.broadcast()
        }
    }

    // MARK: Receiving (the receive node's thread)

    /// The next entry of an edge this rank receives, waiting for it; nil after a hard stop.
    func next(edge: Int) -> Entry? {
        lock.lock()
        defer { lock.unlock() }
        while true {
            guard let box = inbound[edge] else { return .end }
            if !box.entries.isEmpty { return inbound[edge]!.entries.removeFirst() }
            // A rank that said goodbye without ending this edge (it failed before building its nodes) ends it now.
            if doneRanks.contains(box.peer) { return .end }
            if tornDown { return nil }
            _ = lock.wait(until: Date().addingTimeInterval(0.1))
        }
    }

    /// The consumer's queue took a packet: the producer's rank may send one more.
    func returnCredit(edge: Int) {
        guard let peer = lock.withLock({ inbound[edge]?.peer }) else { return }
        var h = EdgeHeader(kind: .credit, edge: edge)
        h.credits = 1
        transport.send(WireMessage(header: h.packed()), to: peer)
    }

    /// The receive node finished: packets still on their way are acknowledged and dropped, so the producer never waits.
    func closeInbound(edge: Int) {
        let owed: (Int, Int)? = lock.withLock {
            guard let box = inbound[edge], !box.closed else { return nil }
            inbound[edge]!.closed = true
            let waiting = box.entries.filter { if case .data = $0 { return true }; return false }.count
            inbound[edge]!.entries = []
            return (box.peer, waiting)
        }
        if let (peer, n) = owed, n > 0 {
            var h = EdgeHeader(kind: .credit, edge: edge)
            h.credits = n
            transport.send(WireMessage(header: h.packed()), to: peer)
        }
    }

    // MARK: The transport's thread

    private func receive(_ message: WireMessage, from: Int) {
        let header: EdgeHeader
        do { header = try EdgeHeader(unpacking: message.header) } catch {
            deliverFailure(RunFailure(nodeId: "rank \(from)", nodeType: "mpi", location: SourceLocation(file: "mpi", line: 0, column: 0),
                                      message: "\(error)", rank: from))
            return
        }
        switch header.kind {
        case .data, .end:
            var ack = false
            lock.withLock {
                guard inbound[header.edge] != nil else { return }
                if inbound[header.edge]!.closed { ack = header.kind == .data; return }
                inbound[header.edge]!.entries.append(header.kind == .data ? .data(header, message.payload) : .end)
                lock.broadcast()
            }
            if ack { returnCredit(edge: header.edge) }
        case .credit:
            lock.withLock {
                outbound[header.edge]?.available += header.credits
                lock.broadcast()
            }
        case .failure:
            if let f = header.failure { deliverFailure(f) }
        case .done:
            lock.withLock {
                doneRanks.insert(from)
                lock.broadcast()
            }
        }
    }

    private func deliverFailure(_ f: RunFailure) {
        let handler: (@Sendable (RunFailure) -> Void)? = lock.withLock {
            if remoteFailure == nil { remoteFailure = f }
            return failureHandler
        }
        handler?(f)
    }
}

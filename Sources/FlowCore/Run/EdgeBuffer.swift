import FlowKit

/// What waits on an edge: a packet, or the producer's end of stream.
enum EdgeEntry {
    case packet(Packet)
    case end
    /// A slot already handed over; holds nothing, so a popped payload is released at once.
    case consumed
}

/// The bounded queue of one edge. Guarded by its consumer's inbox lock; never touched without it.
final class EdgeBuffer: @unchecked Sendable {
    let edge: CompiledEdge
    unowned let consumer: NodeRunner
    private(set) var items: [(seq: UInt64, entry: EdgeEntry)] = []
    private(set) var head = 0
    var closed = false

    // Stats, read after the run.
    var pushed = 0
    var dropped = 0
    var flushed = 0
    var maxDepth = 0

    init(edge: CompiledEdge, consumer: NodeRunner) {
        self.edge = edge
        self.consumer = consumer
    }

    /// Packets waiting (an end marker does not count against capacity).
    var depth: Int { items.count - head - (hasEnd ? 1 : 0) }
    var hasEnd = false
    var isEmpty: Bool { head == items.count }
    var headSeq: UInt64? { isEmpty ? nil : items[head].seq }

    func append(_ entry: EdgeEntry, seq: UInt64) {
        if case .end = entry { hasEnd = true } else { pushed += 1 }
        items.append((seq, entry))
        maxDepth = max(maxDepth, depth)
    }

    func popFirst() -> EdgeEntry {
        let e = items[head].entry
        items[head].entry = .consumed
        head += 1
        // Compact now and then so a long run does not keep every packet alive.
        if head > 64 && head * 2 > items.count {
            items.removeFirst(head)
            head = 0
        }
        if case .end = e { hasEnd = false }
        return e
    }

    /// Removes the oldest packet (not an end marker); returns whether one was removed.
    @discardableResult func dropOldestPacket() -> Bool {
        for i in head..<items.count {
            if case .packet = items[i].entry {
                items.remove(at: i)
                dropped += 1
                return true
            }
        }
        return false
    }

    /// Removes all waiting packets, keeping an end marker; returns how many went.
    func removePackets() -> Int {
        let before = items.count - head
        items = items[head...].filter { if case .end = $0.entry { return true }; return false }
        head = 0
        return before - items.count
    }
}

import Foundation

/// What one node did during a run.
public struct NodeStats: Sendable {
    public var id: String
    public var type: String
    public var itemsIn = 0
    public var itemsOut = 0
    public var busyNanos: UInt64 = 0
    public var blockedOnOutputNanos: UInt64 = 0
    public var lifetimeNanos: UInt64 = 0
    public var threads = 1
    /// Time alive that was neither compute nor blocked on output: waiting for input.
    public var waitingForInputNanos: UInt64 {
        lifetimeNanos > busyNanos + blockedOnOutputNanos ? lifetimeNanos - busyNanos - blockedOnOutputNanos : 0
    }
}

/// What one edge saw during a run.
public struct EdgeStats: Sendable {
    public var name: String
    public var capacity: Int
    public var policy: String
    public var pushed: Int
    public var dropped: Int
    public var flushed: Int
    public var maxDepth: Int
}

public struct RunStats: Sendable {
    public var wallNanos: UInt64
    public var nodes: [NodeStats]
    public var edges: [EdgeStats]

    /// The `--stats` table.
    public func table() -> String {
        func ms(_ ns: UInt64) -> String { String(format: "%.1f", Double(ns) / 1e6) }
        func pct(_ ns: UInt64) -> String { wallNanos == 0 ? "-" : String(format: "%.0f%%", 100 * Double(ns) / Double(wallNanos)) }
        let width = max(6, (nodes.map(\.id.count).max() ?? 4) + 1)
        var out = "wall \(ms(wallNanos)) ms\n"
        out += "node".padding(toLength: width, withPad: " ", startingAt: 0)
            + "  items in  items out   busy ms  busy  blocked-out ms  waiting-in ms  threads\n"
        for n in nodes {
            out += n.id.padding(toLength: width, withPad: " ", startingAt: 0)
            let cells = [String(n.itemsIn).leftPad(8), String(n.itemsOut).leftPad(9), ms(n.busyNanos).leftPad(8),
                         pct(n.busyNanos).leftPad(4), ms(n.blockedOnOutputNanos).leftPad(14),
                         ms(n.waitingForInputNanos).leftPad(13), String(n.threads).leftPad(7)]
            out += "  " + cells.joined(separator: "  ") + "\n"
        }
        if !edges.isEmpty {
            out += "edge (capacity, policy): pushed, dropped, flushed, max depth\n"
            for e in edges { out += "  \(e.name) (\(e.capacity), \(e.policy)): \(e.pushed), \(e.dropped), \(e.flushed), \(e.maxDepth)\n" }
        }
        return out
    }
}

extension String {
    func leftPad(_ n: Int) -> String { count >= n ? self : String(repeating: " ", count: n - count) + self }
}

@inline(__always) func monotonicNanos() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

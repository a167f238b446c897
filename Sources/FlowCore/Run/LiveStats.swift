import Foundation

/// Stats of a run in progress, safe to take from any thread while the graph runs (the live preview
/// polls it); `GraphRun.stats` is the fuller picture after the run.
public struct LiveStats: Sendable {
    public struct Node: Sendable {
        public var id: String
        public var type: String
        public var items: Int
        public var busyNanos: UInt64
        public var blockedOnOutputNanos: UInt64
    }

    public struct Edge: Sendable {
        public var name: String
        public var capacity: Int
        public var depth: Int
        public var pushed: Int
        public var dropped: Int
    }

    /// Time since the run started (0 before it starts).
    public var elapsedNanos: UInt64
    public var nodes: [Node]
    public var edges: [Edge]
}

extension GraphRun {
    public func liveStats() -> LiveStats {
        let start = liveStart.load(ordering: .acquiring)
        let nodes = runners.map { r in
            LiveStats.Node(id: r.compiled.id, type: r.compiled.contract.type, items: r.processed.load(ordering: .relaxed),
                           busyNanos: r.busyLive.load(ordering: .relaxed), blockedOnOutputNanos: r.blockedLive.load(ordering: .relaxed))
        }
        let edges = runners.flatMap { r in
            r.inbox.withLock {
                r.inputs.map { b in
                    LiveStats.Edge(name: "\(graph.nodes[b.edge.from].id).\(b.edge.fromPort) -> \(r.compiled.id).\(b.edge.toPort)",
                                   capacity: b.edge.capacity, depth: b.depth, pushed: b.pushed, dropped: b.dropped)
                }
            }
        }
        return LiveStats(elapsedNanos: start == 0 ? 0 : monotonicNanos() &- start, nodes: nodes, edges: edges)
    }
}

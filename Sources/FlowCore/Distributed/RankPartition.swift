import FlowKit

/// One rank's share of a compiled graph: its own nodes, and for each edge to or from another rank a send or
/// receive node in the edge's place. Every rank compiles the whole graph (so every error is reported by each,
/// at once); this picks what the rank builds.
struct RankPartition {
    private(set) var graph: CompiledGraph
    private(set) var instances: [Int: any Node] = [:]

    private static let bridges: NodeRegistry = {
        let r = NodeRegistry()
        try! r.register(RankSendNode.self)
        try! r.register(RankReceiveNode.self)
        return r
    }()

    init(_ full: CompiledGraph, rank: Int, links: RankLinks) {
        var nodes: [CompiledNode] = []
        var local: [Int: Int] = [:]
        for n in full.nodes where n.rank == rank {
            var c = n
            c.index = nodes.count
            local[n.index] = c.index
            nodes.append(c)
        }
        var edges: [CompiledEdge] = []
        var instances: [Int: any Node] = [:]
        func bridge(_ type: String, id: String, at edge: CompiledEdge, node: any Node) -> Int {
            let index = nodes.count
            nodes.append(CompiledNode(index: index, id: id, registration: RankPartition.bridges.lookup(type)!, params: Params(),
                                      location: edge.location, baseDirectory: "", threads: 1, rank: rank))
            instances[index] = node
            return index
        }
        for e in full.edges {
            let producer = full.nodes[e.from], consumer = full.nodes[e.to]
            let name = "\(producer.id).\(e.fromPort) -> \(consumer.id).\(e.toPort)"
            var c = e
            c.index = edges.count
            switch (producer.rank == rank, consumer.rank == rank) {
            case (true, true):
                c.from = local[e.from]!
                c.to = local[e.to]!
            case (true, false):
                // The credits hold the edge's capacity; one more packet may wait here for the send node.
                links.addOutbound(edge: e.index, name: name, peer: consumer.rank, capacity: e.capacity)
                c.from = local[e.from]!
                c.to = bridge("rank.send", id: "\(producer.id).\(e.fromPort)>rank\(consumer.rank)", at: e,
                              node: RankSendNode(links: links, edge: e.index))
                c.toPort = "in"
                c.capacity = 1
                // A back edge is seeded on the consumer's rank (below), not into the send node.
                c.feedback = false
                c.type = .any
            case (false, true):
                links.addInbound(edge: e.index, peer: producer.rank)
                c.from = bridge("rank.receive", id: "\(producer.id).\(e.fromPort)<rank\(producer.rank)", at: e,
                                node: RankReceiveNode(links: links, edge: e.index))
                c.fromPort = "out"
                c.to = local[e.to]!
                // A back edge keeps its mark here: the compiler's seed goes to its consumer on this rank, and the
                // receive node never blocks on it, as a back edge in one process never does.
            case (false, false):
                continue
            }
            edges.append(c)
        }
        graph = full
        graph.nodes = nodes
        graph.edges = edges
        self.instances = instances
    }
}

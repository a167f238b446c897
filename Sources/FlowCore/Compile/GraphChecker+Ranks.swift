import FlowKit

/// Edges between nodes on different MPI ranks: the compiler turns each into a send side and a receive side
/// (`RankPartition`), so it checks here that the edge can become one.
extension GraphChecker {
    mutating func checkRankCrossings() {
        for edge in edges where nodes[edge.from].rank != nodes[edge.to].rank {
            let producer = nodes[edge.from], consumer = nodes[edge.to]
            let name = "\(producer.id).\(edge.fromPort) -> \(consumer.id).\(edge.toPort)"
            let crossing = "edge \(name) crosses from rank \(producer.rank) to rank \(consumer.rank)"
            let notes: [Diagnostic] = [.note("\(producer.id) runs on rank \(producer.rank)", at: producer.location),
                                       .note("\(consumer.id) runs on rank \(consumer.rank)", at: consumer.location)]
            if edge.policy != .block {
                diagnostics.append(.error("\(crossing) with policy \(edge.policy.rawValue); only block crosses ranks (its capacity becomes the sender's credits)",
                                          at: edge.location, notes: notes))
            }
            if !EdgeCodec.crossingKinds.contains(edge.type.kind) {
                let kinds = EdgeCodec.crossingKinds.sorted().joined(separator: ", ")
                diagnostics.append(.error("\(crossing), but its payload (\(edge.type)) cannot cross ranks; payloads that can: \(kinds)",
                                          at: edge.location, notes: notes))
            }
        }
    }
}

/// Loops: every cycle needs a declared feedback edge, and a feedback edge should close one.
extension GraphChecker {
    mutating func checkCycles(nodes: [CompiledNode], edges: [CompiledEdge]) {
        let plain = edges.filter { !$0.feedback }.map { (from: $0.from, to: $0.to, edge: $0.index) }
        for cycle in CycleCheck.cycles(nodeCount: nodes.count, edges: plain) {
            let path = cycle.path.map { nodes[$0].id }.joined(separator: " -> ")
            diagnostics.append(.error("cycle: \(path); mark the edge that closes the loop with 'feedback: true'", at: edges[cycle.closingEdge].location))
        }
        let withFeedback = edges.map { (from: $0.from, to: $0.to, edge: $0.index) }
        let inLoops = Set(CycleCheck.cycles(nodeCount: nodes.count, edges: withFeedback).map(\.closingEdge))
        var successors = [[Int]](repeating: [], count: nodes.count)
        for e in edges { successors[e.from].append(e.to) }
        for e in edges where e.feedback {
            // A feedback edge is only meaningful if it closes a loop.
            let loop = inLoops.contains(e.index) || reaches(from: e.to, to: e.from, successors: successors)
            if !loop {
                diagnostics.append(.warning("edge \(nodes[e.from].id).\(e.fromPort) -> \(nodes[e.to].id).\(e.toPort) is marked feedback but closes no loop", at: e.location))
            }
        }
    }

    func reaches(from: Int, to: Int, successors: [[Int]]) -> Bool {
        var seen: Set<Int> = [from]
        var work = [from]
        while let n = work.popLast() {
            if n == to { return true }
            for next in successors[n] where seen.insert(next).inserted { work.append(next) }
        }
        return false
    }
}

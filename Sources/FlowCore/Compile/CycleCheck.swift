/// Finds cycles among the non-feedback edges; each is reported once with its path.
enum CycleCheck {
    /// Returns each cycle as node indices, first node repeated at the end, plus the edge that closes it.
    static func cycles(nodeCount: Int, edges: [(from: Int, to: Int, edge: Int)]) -> [(path: [Int], closingEdge: Int)] {
        var adjacency = [[(to: Int, edge: Int)]](repeating: [], count: nodeCount)
        for e in edges { adjacency[e.from].append((e.to, e.edge)) }
        var state = [UInt8](repeating: 0, count: nodeCount) // 0 new, 1 on stack, 2 done
        var stack: [Int] = []
        var found: [(path: [Int], closingEdge: Int)] = []
        var reported = Set<Int>()

        // Iterative DFS: a hostile graph with thousands of nodes must not overflow the call stack.
        for start in 0..<nodeCount where state[start] == 0 {
            var work: [(node: Int, next: Int)] = [(start, 0)]
            state[start] = 1
            stack.append(start)
            while let top = work.last {
                if top.next < adjacency[top.node].count {
                    work[work.count - 1].next += 1
                    let (to, edge) = adjacency[top.node][top.next]
                    if state[to] == 1 {
                        if let i = stack.lastIndex(of: to) {
                            let path = Array(stack[i...]) + [to]
                            if path.allSatisfy({ !reported.contains($0) }) {
                                found.append((path, edge))
                                reported.formUnion(path)
                            }
                        }
                    } else if state[to] == 0 {
                        state[to] = 1
                        stack.append(to)
                        work.append((to, 0))
                    }
                } else {
                    state[top.node] = 2
                    stack.removeLast()
                    work.removeLast()
                }
            }
        }
        return found
    }
}

/// Edges of one file, between full node ids: through includes' inputs and outputs, and from a
/// subgraph's own `in.NAME` inputs, which the including file connects later.
extension GraphExpander {
    func addEdges(of scope: FileScope, to out: inout Expansion) {
        for decl in scope.doc.nodes {
            for input in decl.inputs {
                for edge in input.edges {
                    if edge.from.node == "in" && !scope.isRoot {
                        addSubgraphInput(edge, feeding: input, of: decl, in: scope, to: &out)
                    } else if let from = source(edge.from, at: edge.location, in: scope) {
                        if decl.include != nil {
                            addEdgesIntoInclude(edge, from: from, feeding: input, of: decl, in: scope, to: &out)
                        } else {
                            out.edges.append(FlatEdge(fromNode: from.node, fromPort: from.port, toNode: scope.prefix + decl.id,
                                                      toPort: input.port, location: edge.location, queue: edge.queue ?? decl.queue,
                                                      policy: edge.policy ?? decl.policy, feedback: edge.feedback))
                        }
                    }
                }
            }
        }
    }

    /// `in.NAME` inside a subgraph: remembered until the including file says what feeds NAME.
    private func addSubgraphInput(_ edge: EdgeDeclaration, feeding input: InputDeclaration, of decl: NodeDeclaration,
                                  in scope: FileScope, to out: inout Expansion) {
        guard scope.declaredInputs.contains(edge.from.port) else {
            diagnostics.append(.error("this subgraph declares no input '\(edge.from.port)'; add it under 'inputs:'\(Suggestion.didYouMean(edge.from.port, scope.declaredInputs.sorted()))", at: edge.location))
            return
        }
        if decl.include != nil {
            diagnostics.append(.error("a subgraph input cannot feed an include directly; connect it to a node", at: edge.location))
            return
        }
        out.inputConsumers[edge.from.port, default: []].append((scope.prefix + decl.id, input.port, edge, decl.queue, decl.policy))
    }

    /// An edge into an include's input becomes one edge to each internal consumer of that input.
    private func addEdgesIntoInclude(_ edge: EdgeDeclaration, from: (node: String, port: String), feeding input: InputDeclaration,
                                     of decl: NodeDeclaration, in scope: FileScope, to out: inout Expansion) {
        guard let sub = scope.subgraphs[decl.id] else { return }
        guard let consumers = sub.inputConsumers[input.port] else {
            diagnostics.append(.error("subgraph '\(decl.id)' has no input '\(input.port)'\(Suggestion.didYouMean(input.port, sub.inputConsumers.keys.sorted()))", at: input.location))
            return
        }
        for c in consumers {
            out.edges.append(FlatEdge(fromNode: from.node, fromPort: from.port, toNode: c.node, toPort: c.port,
                                      location: edge.location, queue: c.edge.queue ?? edge.queue ?? c.queue,
                                      policy: c.edge.policy ?? edge.policy ?? c.policy, feedback: edge.feedback || c.edge.feedback))
        }
    }

    /// Subgraph inputs this file's includes declare and use but this file does not connect.
    func noteUnconnectedInputs(of scope: FileScope, in out: inout Expansion) {
        for decl in scope.doc.nodes {
            guard let sub = scope.subgraphs[decl.id], let location = decl.includeLocation else { continue }
            let connected = Set(decl.inputs.map(\.port))
            for (input, consumers) in sub.inputConsumers where !connected.contains(input) {
                for c in consumers { out.unconnectedInputs[c.node + "." + c.port] = (input, scope.prefix + decl.id, location) }
            }
        }
    }

    /// The full id and port a `node.port` written in this file stands for (an include's output included).
    func source(_ ref: PortReference, at loc: SourceLocation, in scope: FileScope) -> (node: String, port: String)? {
        if let sub = scope.subgraphs[ref.node] {
            guard let o = sub.outputs[ref.port] else {
                diagnostics.append(.error("subgraph '\(ref.node)' has no output '\(ref.port)'\(Suggestion.didYouMean(ref.port, sub.outputs.keys.sorted())); it has: \(sub.outputs.keys.sorted().joined(separator: ", "))", at: loc))
                return nil
            }
            return o
        }
        guard scope.localIds.contains(ref.node) else {
            diagnostics.append(.error("unknown node '\(ref.node)' in '\(ref)'\(suggestion(for: ref.node, in: scope))", at: loc))
            return nil
        }
        // An include that failed to expand already has its own error.
        if scope.includeIds.contains(ref.node) { return nil }
        return (scope.prefix + ref.node, ref.port)
    }

    /// "Did you mean" for an unknown node id, remembered per file: one unknown name (a subgraph's `in`
    /// in a file compiled on its own) can be repeated thousands of times, each against every id.
    private func suggestion(for id: String, in scope: FileScope) -> String {
        let key = scope.prefix + "\u{0}" + id
        if let known = idSuggestions[key] { return known }
        let text = Suggestion.didYouMean(id, scope.sortedIds)
        idSuggestions[key] = text
        return text
    }
}

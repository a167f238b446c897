import FlowKit

/// Edges between compiled nodes: ports that exist, fan-in where allowed, matching types and shapes.
extension GraphChecker {
    mutating func addEdges(unifier: inout ShapeUnifier) {
        let declaredIds = Set(expansion.nodes.map(\.id))
        for flat in expansion.edges {
            if let edge = compileEdge(flat, declaredIds: declaredIds, unifier: &unifier) { edges.append(edge) }
        }
    }

    private mutating func compileEdge(_ flat: FlatEdge, declaredIds: Set<String>, unifier: inout ShapeUnifier) -> CompiledEdge? {
        guard let to = indexOf[flat.toNode] else { return nil }
        let consumer = nodes[to]
        guard let inSpec = consumer.contract.input(flat.toPort) else {
            let names = consumer.contract.inputs.map(\.name)
            let has = names.isEmpty ? "it has no inputs (it is a source)" : "its inputs: \(names.joined(separator: ", "))"
            diagnostics.append(.error("node '\(consumer.id)' (\(consumer.contract.type)) has no input '\(flat.toPort)'; \(has)\(Suggestion.didYouMean(flat.toPort, names))", at: flat.location))
            return nil
        }
        guard let from = indexOf[flat.fromNode] else {
            // A declared node that did not compile (unknown type) already has its error.
            if !declaredIds.contains(flat.fromNode) {
                diagnostics.append(.error("unknown node '\(flat.fromNode)'", at: flat.location))
            }
            return nil
        }
        let producer = nodes[from]
        guard let outSpec = producer.contract.output(flat.fromPort) else {
            let names = producer.contract.outputs.map(\.name)
            let has = names.isEmpty ? "it has no outputs (it is a sink)" : "its outputs: \(names.joined(separator: ", "))"
            diagnostics.append(.error("node '\(producer.id)' (\(producer.contract.type)) has no output '\(flat.fromPort)'; \(has)\(Suggestion.didYouMean(flat.fromPort, names))", at: flat.location))
            return nil
        }
        feeds[consumer.id + "." + flat.toPort, default: []].append(flat)
        if feeds[consumer.id + "." + flat.toPort]!.count == 2 && !inSpec.fanIn {
            diagnostics.append(.error("input '\(flat.toPort)' of node '\(consumer.id)' takes one edge, and this is a second (\(consumer.contract.type) does not allow fan-in)", at: flat.location))
        }
        checkTypes(outSpec.type, at: producer, inSpec.type, at: consumer, edge: flat, unifier: &unifier)
        return CompiledEdge(index: edges.count, from: from, fromPort: flat.fromPort, to: to, toPort: flat.toPort,
                            capacity: flat.queue ?? GraphCompiler.defaultQueue, policy: flat.policy ?? .block,
                            feedback: flat.feedback, location: flat.location, type: outSpec.type)
    }

    mutating func checkTypes(_ out: PortType, at producer: CompiledNode, _ input: PortType, at consumer: CompiledNode,
                             edge: FlatEdge, unifier: inout ShapeUnifier) {
        let notes: [Diagnostic] = [
            .note("\(producer.id).\(edge.fromPort) produces \(out)", at: producer.location),
            .note("\(consumer.id).\(edge.toPort) takes \(input)", at: consumer.location),
        ]
        let name = "\(producer.id).\(edge.fromPort) -> \(consumer.id).\(edge.toPort)"
        if input.kind != "any" && out.kind != "any" && out.kind != input.kind {
            diagnostics.append(.error("type mismatch on edge \(name): \(out) does not fit \(input)", at: edge.location, notes: notes))
            return
        }
        if let a = out.element, let b = input.element, a != b {
            diagnostics.append(.error("element type mismatch on edge \(name): \(a.rawValue) vs \(b.rawValue)", at: edge.location, notes: notes))
            return
        }
        guard let sa = out.shape, let sb = input.shape else { return }
        if sa.count != sb.count {
            diagnostics.append(.error("shape mismatch on edge \(name): rank \(sa.count) vs rank \(sb.count)", at: edge.location, notes: notes))
            return
        }
        for (i, (da, db)) in zip(sa, sb).enumerated() {
            if let conflict = unifier.unify(da, at: producer.index, db, at: consumer.index) {
                reportShapeConflict(conflict, dimension: i, (da, db), edge: edge, name: name, notes: notes)
                return
            }
        }
    }

    /// A shape conflict is reported at the param a value follows from (the consumer's first, as edges are
    /// written there), e.g. the `model:` line of a model with other latent sizes; otherwise at the edge.
    mutating func reportShapeConflict(_ c: ShapeUnifier.Conflict, dimension i: Int, _ dims: (Dim, Dim), edge: FlatEdge, name: String,
                                      notes: [Diagnostic]) {
        let message = "shape mismatch on edge \(name): dimension \(i) (\(dims.0) / \(dims.1)) is \(c.producer) at the producer but \(c.consumer) at the consumer"
        let sources = [(c.consumerSource, c.consumer), (c.producerSource, c.producer)]
        for (source, value) in sources {
            guard let source, let param = source.param, let node = nodeWhere[source.node] else { continue }
            let at = paramLocations[source.node]?[param] ?? node.location
            diagnostics.append(.error("\(message); \(value) follows from param '\(param)' of node '\(node.id)'",
                                      at: at, notes: notes + [.note("the edge", at: edge.location)]))
            return
        }
        diagnostics.append(.error(message, at: edge.location, notes: notes))
    }
}

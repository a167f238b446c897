import Foundation
import FlowKit

/// The checks that turn flattened declarations into a runnable graph: node types, params, ports,
/// edge types and shapes, cycles. Every problem is collected, none stops the others.
struct GraphChecker {
    let registry: NodeRegistry
    let cores: Int
    let expansion: Expansion
    var graphName = ""
    var diagnostics: [Diagnostic] = []
    /// Where each node's params are written, so a shape that follows from a param is reported there.
    var paramLocations: [Int: [String: SourceLocation]] = [:]
    var nodeWhere: [Int: (id: String, location: SourceLocation)] = [:]

    init(registry: NodeRegistry, cores: Int, expansion: Expansion) {
        self.registry = registry
        self.cores = cores
        self.expansion = expansion
    }

    mutating func check(document: GraphDocument?, file: String) -> CompiledGraph {
        graphName = document?.name ?? ""
        var nodes: [CompiledNode] = []
        var indexOf: [String: Int] = [:]
        var resolvedParams: [Int: Params] = [:]
        for flat in expansion.nodes {
            guard let typeName = flat.decl.type else { continue }
            guard let reg = registry.lookup(typeName) else {
                diagnostics.append(.error("unknown node type '\(typeName)'\(Suggestion.didYouMean(typeName, registry.typeNames)) (`flowrun nodes` lists them)", at: flat.decl.typeLocation))
                continue
            }
            let params = checkParams(flat, contract: reg.contract, type: reg.nodeType, origin: reg.origin)
            let index = nodes.count
            indexOf[flat.id] = index
            nodeWhere[index] = (flat.id, flat.decl.location)
            paramLocations[index] = Dictionary(flat.decl.params.map { ($0.name, $0.value.location) }, uniquingKeysWith: { a, _ in a })
            nodes.append(CompiledNode(index: index, id: flat.id, registration: reg, params: params ?? Params(),
                                      location: flat.decl.location, baseDirectory: flat.baseDirectory, threads: 1))
            if let params { resolvedParams[index] = params }
        }
        let heavy = nodes.filter { $0.contract.compute == .heavy }.count
        for i in nodes.indices where nodes[i].contract.compute == .heavy {
            nodes[i].threads = max(1, cores / max(1, heavy))
        }

        var edges: [CompiledEdge] = []
        var unifier = ShapeUnifier()
        for (index, params) in resolvedParams {
            for (symbol, binding) in nodes[index].registration.nodeType.shapeBindings(params).entries {
                _ = unifier.bind(ShapeUnifier.variable(node: index, symbol: symbol), to: binding.value,
                                 source: ShapeUnifier.Source(node: index, param: binding.param))
            }
        }
        var feeds: [String: [FlatEdge]] = [:]
        for flat in expansion.edges {
            guard let to = indexOf[flat.toNode] else { continue }
            let consumer = nodes[to]
            guard let inSpec = consumer.contract.input(flat.toPort) else {
                let names = consumer.contract.inputs.map(\.name)
                let has = names.isEmpty ? "it has no inputs (it is a source)" : "its inputs: \(names.joined(separator: ", "))"
                diagnostics.append(.error("node '\(consumer.id)' (\(consumer.contract.type)) has no input '\(flat.toPort)'; \(has)\(Suggestion.didYouMean(flat.toPort, names))", at: inputLocation(flat)))
                continue
            }
            guard let from = indexOf[flat.fromNode] else {
                if !expansion.nodes.contains(where: { $0.id == flat.fromNode }) {
                    diagnostics.append(.error("unknown node '\(flat.fromNode)'", at: flat.location))
                }
                continue
            }
            let producer = nodes[from]
            guard let outSpec = producer.contract.output(flat.fromPort) else {
                let names = producer.contract.outputs.map(\.name)
                let has = names.isEmpty ? "it has no outputs (it is a sink)" : "its outputs: \(names.joined(separator: ", "))"
                diagnostics.append(.error("node '\(producer.id)' (\(producer.contract.type)) has no output '\(flat.fromPort)'; \(has)\(Suggestion.didYouMean(flat.fromPort, names))", at: flat.location))
                continue
            }
            feeds[consumer.id + "." + flat.toPort, default: []].append(flat)
            if feeds[consumer.id + "." + flat.toPort]!.count == 2 && !inSpec.fanIn {
                diagnostics.append(.error("input '\(flat.toPort)' of node '\(consumer.id)' takes one edge, and this is a second (\(consumer.contract.type) does not allow fan-in)", at: flat.location))
            }
            checkTypes(outSpec.type, at: producer, inSpec.type, at: consumer, edge: flat, unifier: &unifier)
            edges.append(CompiledEdge(index: edges.count, from: from, fromPort: flat.fromPort, to: to, toPort: flat.toPort,
                                      capacity: flat.queue ?? GraphCompiler.defaultQueue, policy: flat.policy ?? .block,
                                      feedback: flat.feedback, location: flat.location, type: outSpec.type))
        }
        // An input that was written but whose edge had an error already has a message.
        let written = Set(expansion.edges.map { $0.toNode + "." + $0.toPort } + expansion.nodes.flatMap { n in n.decl.inputs.map { n.id + "." + $0.port } })
        for node in nodes {
            for spec in node.contract.inputs where spec.required && feeds[node.id + "." + spec.name] == nil && !written.contains(node.id + "." + spec.name) {
                diagnostics.append(.error("node '\(node.id)' (\(node.contract.type)) is missing required input '\(spec.name)' (\(spec.type))", at: node.location))
            }
            let used = edges.contains { $0.from == node.index }
            if !node.contract.outputs.isEmpty && !used {
                diagnostics.append(.warning("outputs of node '\(node.id)' (\(node.contract.type)) go nowhere", at: node.location))
            }
        }
        checkCycles(nodes: nodes, edges: edges)
        return CompiledGraph(name: document?.name ?? "", description: document?.description ?? "", file: file,
                             nodes: nodes, edges: edges, warnings: diagnostics.filter { $0.severity == .warning })
    }

    func inputLocation(_ flat: FlatEdge) -> SourceLocation { flat.location }

    mutating func checkParams(_ flat: FlatNode, contract: NodeContract, type: any Node.Type, origin: String) -> Params? {
        // Errors about a plugin's node say which plugin, so users know whom to ask.
        let plugin = origin == "built-in" ? "" : " (\(contract.type) from plugin \((origin as NSString).lastPathComponent))"
        let substitution = Substitution(env: flat.env)
        var values: [String: ParamValue] = [:]
        var locations: [String: SourceLocation] = [:]
        var ok = true
        for p in flat.decl.params {
            guard let spec = contract.param(p.name) else {
                let known = contract.params.map(\.name)
                let list = known.isEmpty ? "it takes no params" : "its params: \(known.joined(separator: ", "))"
                diagnostics.append(.error("unknown param '\(p.name)' for \(contract.type); \(list)\(Suggestion.didYouMean(p.name, known))", at: p.nameLocation))
                ok = false
                continue
            }
            guard let raw = substitution.value(p.value, diagnostics: &diagnostics) else { ok = false; continue }
            do {
                values[p.name] = try spec.coerce(raw)
                locations[p.name] = p.value.location
            } catch {
                diagnostics.append(.error("param '\(p.name)' of node '\(flat.id)'\(plugin): \(error.message)", at: p.value.location))
                ok = false
            }
        }
        for spec in contract.params where values[spec.name] == nil {
            if let d = spec.defaultValue { values[spec.name] = d }
            else if !flat.decl.params.contains(where: { $0.name == spec.name }) {
                diagnostics.append(.error("node '\(flat.id)' (\(contract.type)) is missing required param '\(spec.name)' (\(spec.type)): \(spec.doc)", at: flat.decl.location))
                ok = false
            }
        }
        guard ok else { return nil }
        values = PathResolution.resolve(values, of: contract, against: flat.baseDirectory)
        let params = Params(values, baseDirectory: flat.baseDirectory, graphName: graphName,
                            written: Set(flat.decl.params.map(\.name)))
        for problem in type.check(params) {
            if problem.severity == .warning {
                diagnostics.append(.warning("param '\(problem.param)' of node '\(flat.id)'\(plugin): \(problem.message)", at: locations[problem.param] ?? flat.decl.location))
                continue
            }
            diagnostics.append(.error("param '\(problem.param)' of node '\(flat.id)'\(plugin): \(problem.message)", at: locations[problem.param] ?? flat.decl.location))
            ok = false
        }
        return ok ? params : nil
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

    mutating func checkCycles(nodes: [CompiledNode], edges: [CompiledEdge]) {
        let plain = edges.filter { !$0.feedback }.map { (from: $0.from, to: $0.to, edge: $0.index) }
        for cycle in CycleCheck.cycles(nodeCount: nodes.count, edges: plain) {
            let path = cycle.path.map { nodes[$0].id }.joined(separator: " -> ")
            diagnostics.append(.error("cycle: \(path); mark the edge that closes the loop with 'feedback: true'", at: edges[cycle.closingEdge].location))
        }
        let withFeedback = edges.map { (from: $0.from, to: $0.to, edge: $0.index) }
        let inLoops = Set(CycleCheck.cycles(nodeCount: nodes.count, edges: withFeedback).map(\.closingEdge))
        for e in edges where e.feedback {
            // A feedback edge is only meaningful if it closes a loop.
            let loop = inLoops.contains(e.index) || reaches(from: e.to, to: e.from, edges: edges)
            if !loop {
                diagnostics.append(.warning("edge \(nodes[e.from].id).\(e.fromPort) -> \(nodes[e.to].id).\(e.toPort) is marked feedback but closes no loop", at: e.location))
            }
        }
    }

    func reaches(from: Int, to: Int, edges: [CompiledEdge]) -> Bool {
        var seen: Set<Int> = [from]
        var work = [from]
        while let n = work.popLast() {
            if n == to { return true }
            for e in edges where e.from == n && !seen.contains(e.to) { seen.insert(e.to); work.append(e.to) }
        }
        return false
    }
}

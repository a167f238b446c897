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
    var nodes: [CompiledNode] = []
    var indexOf: [String: Int] = [:]
    var edges: [CompiledEdge] = []
    /// The edges that reached each `node.port` input.
    var feeds: [String: [FlatEdge]] = [:]

    init(registry: NodeRegistry, cores: Int, expansion: Expansion) {
        self.registry = registry
        self.cores = cores
        self.expansion = expansion
    }

    mutating func check(document: GraphDocument?, file: String) -> CompiledGraph {
        graphName = document?.name ?? ""
        let resolvedParams = addNodes()
        assignThreads()
        var unifier = bindShapes(resolvedParams)
        addEdges(unifier: &unifier)
        checkRankCrossings()
        checkInputsAndOutputs()
        checkCycles(nodes: nodes, edges: edges)
        return CompiledGraph(name: document?.name ?? "", description: document?.description ?? "", file: file,
                             nodes: nodes, edges: edges, warnings: diagnostics.filter { $0.severity == .warning })
    }

    /// A compiled node for each declaration of a known type; returns the params of those whose params checked out.
    private mutating func addNodes() -> [Int: Params] {
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
                                      location: flat.decl.location, baseDirectory: flat.baseDirectory, threads: 1,
                                      rank: flat.rank?.value ?? 0))
            if let params { resolvedParams[index] = params }
        }
        return resolvedParams
    }

    /// Compute-heavy nodes share the cores as their thread budgets.
    private mutating func assignThreads() {
        let heavy = nodes.filter { $0.contract.compute == .heavy }.count
        for i in nodes.indices where nodes[i].contract.compute == .heavy {
            nodes[i].threads = max(1, cores / max(1, heavy))
        }
    }

    /// Shape symbols that nodes' params fix, bound in node order so the same graph always reports the same way.
    private func bindShapes(_ resolvedParams: [Int: Params]) -> ShapeUnifier {
        var unifier = ShapeUnifier()
        for (index, params) in resolvedParams.sorted(by: { $0.key < $1.key }) {
            for (symbol, binding) in nodes[index].registration.nodeType.shapeBindings(params).entries {
                _ = unifier.bind(ShapeUnifier.variable(node: index, symbol: symbol), to: binding.value,
                                 source: ShapeUnifier.Source(node: index, param: binding.param))
            }
        }
        return unifier
    }

    /// Required inputs nothing feeds are errors; outputs nothing reads are warnings.
    private mutating func checkInputsAndOutputs() {
        // An input that was written but whose edge had an error already has a message.
        let written = Set(expansion.edges.map { $0.toNode + "." + $0.toPort } + expansion.nodes.flatMap { n in n.decl.inputs.map { n.id + "." + $0.port } })
        let producers = Set(edges.map(\.from))
        for node in nodes {
            for spec in node.contract.inputs where spec.required && feeds[node.id + "." + spec.name] == nil {
                let key = node.id + "." + spec.name
                if let open = expansion.unconnectedInputs[key] {
                    diagnostics.append(.error("input '\(open.input)' of subgraph '\(open.include)' is not connected; node '\(node.id)' (\(node.contract.type)) needs it for its input '\(spec.name)' (\(spec.type))",
                                              at: open.location, notes: [.note("\(node.id) is declared here", at: node.location)]))
                } else if !written.contains(key) {
                    diagnostics.append(.error("node '\(node.id)' (\(node.contract.type)) is missing required input '\(spec.name)' (\(spec.type))", at: node.location))
                }
            }
            if !node.contract.outputs.isEmpty && !producers.contains(node.index) {
                diagnostics.append(.warning("outputs of node '\(node.id)' (\(node.contract.type)) go nowhere", at: node.location))
            }
        }
    }
}

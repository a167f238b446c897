import FlowKit

/// Turns a located YAML tree into a `GraphDocument`, collecting every error rather than stopping at the first.
public struct GraphParser {
    public static let topLevelKeys = ["version", "name", "description", "params", "plugins", "inputs", "outputs", "nodes"]
    public static let nodeKeys = ["type", "include", "inputs", "queue", "policy", "rank", "params"]
    public static let edgeKeys = ["from", "queue", "policy", "feedback"]
    public static let paramKeys = ["type", "default", "min", "max", "choices", "doc"]
    public static let maxQueue = 1 << 20

    var diagnostics: [Diagnostic] = []

    public init() {}

    public mutating func parse(_ root: YNode, file: String) -> GraphDocument? {
        guard let pairs = root.pairs else {
            diagnostics.append(.error("a graph file is a mapping with version, name and nodes; found \(root.kindName)", at: root.location))
            return nil
        }
        var doc = GraphDocument(file: file, version: 1, name: "", description: "", params: [], plugins: [], inputs: [], outputs: [], nodes: [])
        for pair in pairs where !GraphParser.topLevelKeys.contains(pair.key) {
            diagnostics.append(.error("unknown key '\(pair.key)' at the top of a graph\(Suggestion.didYouMean(pair.key, GraphParser.topLevelKeys))", at: pair.keyLocation))
        }
        if let v = root["version"] {
            if let s = v.string, let n = Int(s) {
                if n != 1 { diagnostics.append(.error("unsupported graph version \(n); this flowrun reads version 1", at: v.location)) }
                doc.version = n
            } else {
                diagnostics.append(.error("version must be an integer (1)", at: v.location))
            }
        } else {
            diagnostics.append(.error("missing 'version: 1' at the top of the graph", at: root.location))
        }
        doc.name = scalar(root["name"], what: "name") ?? ""
        doc.description = scalar(root["description"], what: "description") ?? ""
        if let p = root["params"] { doc.params = parseParams(p) }
        if let p = root["plugins"] {
            if let items = p.items {
                for item in items {
                    if let s = item.string { doc.plugins.append((s, item.location)) }
                    else { diagnostics.append(.error("a plugin is a path to a .so file, not \(item.kindName)", at: item.location)) }
                }
            } else {
                diagnostics.append(.error("plugins must be a list of paths", at: p.location))
            }
        }
        if let i = root["inputs"] { doc.inputs = parseInterfaceInputs(i) }
        if let o = root["outputs"] { doc.outputs = parseInterfaceOutputs(o) }
        if let nodes = root["nodes"] {
            if let pairs = nodes.pairs {
                if pairs.isEmpty { diagnostics.append(.error("the graph has no nodes", at: nodes.location)) }
                for pair in pairs { if let n = parseNode(pair) { doc.nodes.append(n) } }
            } else {
                diagnostics.append(.error("nodes must be a mapping of node id to node, found \(nodes.kindName)", at: nodes.location))
            }
        } else {
            diagnostics.append(.error("missing 'nodes:'", at: root.location))
        }
        return doc
    }

    mutating func scalar(_ node: YNode?, what: String) -> String? {
        guard let node else { return nil }
        guard let s = node.string else {
            diagnostics.append(.error("\(what) must be text, found \(node.kindName)", at: node.location))
            return nil
        }
        return s
    }

    static func isIdentifier(_ s: String) -> Bool {
        guard let first = s.unicodeScalars.first, first == "_" || (first.properties.isAlphabetic && first.isASCII) else { return false }
        return s.unicodeScalars.allSatisfy { $0 == "_" || $0 == "-" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) }
    }

    mutating func parseNode(_ pair: YPair) -> NodeDeclaration? {
        guard GraphParser.isIdentifier(pair.key) else {
            diagnostics.append(.error("node id '\(pair.key)' must start with a letter and contain only letters, digits, _ and -", at: pair.keyLocation))
            return nil
        }
        guard let body = pair.value.pairs else {
            diagnostics.append(.error("node '\(pair.key)' must be a mapping with a type, found \(pair.value.kindName)", at: pair.value.location))
            return nil
        }
        var decl = NodeDeclaration(id: pair.key, location: pair.keyLocation, type: nil, typeLocation: nil, include: nil,
                                   includeLocation: nil, inputs: [], params: [], queue: nil, policy: nil)
        for field in body {
            switch field.key {
            case "type":
                decl.type = scalar(field.value, what: "type")
                decl.typeLocation = field.value.location
            case "include":
                decl.include = scalar(field.value, what: "include")
                decl.includeLocation = field.value.location
            case "inputs":
                decl.inputs = parseInputs(field.value, node: pair.key)
            case "queue":
                decl.queue = parseQueue(field.value)
            case "policy":
                decl.policy = parsePolicy(field.value)
            case "rank":
                // Checked once params are substituted (`rank: ${vae_rank}`), in the expander.
                decl.rank = field.value
            case "params":
                guard let ps = field.value.pairs else {
                    diagnostics.append(.error("params must be a mapping, found \(field.value.kindName)", at: field.value.location))
                    continue
                }
                for p in ps { decl.params.append((p.key, p.keyLocation, p.value)) }
            default:
                decl.params.append((field.key, field.keyLocation, field.value))
            }
        }
        if decl.type == nil && decl.include == nil {
            diagnostics.append(.error("node '\(pair.key)' needs a 'type:' (or 'include:' for a subgraph)", at: pair.keyLocation))
            return nil
        }
        if decl.type != nil && decl.include != nil {
            diagnostics.append(.error("node '\(pair.key)' has both 'type:' and 'include:'; choose one", at: decl.includeLocation))
        }
        return decl
    }

    mutating func parseQueue(_ v: YNode) -> Int? {
        guard let s = v.string, let n = Int(s), n >= 1, n <= GraphParser.maxQueue else {
            diagnostics.append(.error("queue must be a whole number from 1 to \(GraphParser.maxQueue)", at: v.location))
            return nil
        }
        return n
    }

    mutating func parsePolicy(_ v: YNode) -> EdgePolicy? {
        guard let s = v.string, let p = EdgePolicy(rawValue: s) else {
            let given = v.string ?? v.kindName
            diagnostics.append(.error("policy must be one of block, drop-oldest, latest; found '\(given)'\(Suggestion.didYouMean(given, EdgePolicy.allCases.map(\.rawValue)))", at: v.location))
            return nil
        }
        return p
    }

    mutating func parseReference(_ v: YNode) -> PortReference? {
        guard let s = v.string else {
            diagnostics.append(.error("an edge source is written node.port, found \(v.kindName)", at: v.location))
            return nil
        }
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, GraphParser.isIdentifier(String(parts[0])), GraphParser.isIdentifier(String(parts[1])) else {
            diagnostics.append(.error("'\(s)' is not a port reference; write node.port, e.g. text.embedding", at: v.location))
            return nil
        }
        return PortReference(node: String(parts[0]), port: String(parts[1]))
    }

    mutating func parseEdge(_ v: YNode) -> EdgeDeclaration? {
        if v.string != nil {
            guard let ref = parseReference(v) else { return nil }
            return EdgeDeclaration(from: ref, location: v.location, queue: nil, policy: nil, feedback: false)
        }
        guard let pairs = v.pairs else {
            diagnostics.append(.error("an edge is node.port or { from: node.port, queue: N, policy: P, feedback: true }", at: v.location))
            return nil
        }
        var from: PortReference?
        var fromLocation = v.location
        var edge = EdgeDeclaration(from: PortReference(node: "", port: ""), location: v.location, queue: nil, policy: nil, feedback: false)
        for p in pairs {
            switch p.key {
            case "from": from = parseReference(p.value); fromLocation = p.value.location
            case "queue": edge.queue = parseQueue(p.value)
            case "policy": edge.policy = parsePolicy(p.value)
            case "feedback":
                switch p.value.string {
                case "true": edge.feedback = true
                case "false": edge.feedback = false
                default: diagnostics.append(.error("feedback must be true or false", at: p.value.location))
                }
            default:
                diagnostics.append(.error("unknown edge option '\(p.key)'\(Suggestion.didYouMean(p.key, GraphParser.edgeKeys))", at: p.keyLocation))
            }
        }
        guard let from else {
            if !pairs.contains(where: { $0.key == "from" }) {
                diagnostics.append(.error("edge is missing 'from: node.port'", at: v.location))
            }
            return nil
        }
        edge.from = from
        edge.location = fromLocation
        return edge
    }

    mutating func parseInputs(_ v: YNode, node: String) -> [InputDeclaration] {
        guard let pairs = v.pairs else {
            diagnostics.append(.error("inputs must be a mapping of port to node.port, found \(v.kindName)", at: v.location))
            return []
        }
        var out: [InputDeclaration] = []
        for p in pairs {
            var edges: [EdgeDeclaration] = []
            if let items = p.value.items {
                if items.isEmpty { diagnostics.append(.error("input '\(p.key)' lists no sources", at: p.value.location)) }
                for item in items { if let e = parseEdge(item) { edges.append(e) } }
            } else if let e = parseEdge(p.value) {
                edges.append(e)
            }
            out.append(InputDeclaration(port: p.key, location: p.keyLocation, edges: edges))
        }
        return out
    }

    mutating func parseInterfaceInputs(_ v: YNode) -> [(name: String, location: SourceLocation, type: String?)] {
        if let items = v.items {
            return items.compactMap { item in
                guard let s = item.string else {
                    diagnostics.append(.error("a subgraph input is a name", at: item.location))
                    return nil
                }
                return (s, item.location, nil)
            }
        }
        guard let pairs = v.pairs else {
            diagnostics.append(.error("inputs must list the subgraph's input names", at: v.location))
            return []
        }
        return pairs.map { ($0.key, $0.keyLocation, $0.value.string) }
    }

    mutating func parseInterfaceOutputs(_ v: YNode) -> [(name: String, location: SourceLocation, from: PortReference)] {
        guard let pairs = v.pairs else {
            diagnostics.append(.error("outputs must map each output name to node.port", at: v.location))
            return []
        }
        return pairs.compactMap { p in parseReference(p.value).map { (p.key, p.keyLocation, $0) } }
    }
}

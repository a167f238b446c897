import Foundation
import FlowKit

/// A node after includes are expanded: full id, declaration and the param values its file sees.
struct FlatNode {
    var id: String
    var decl: NodeDeclaration
    var env: [String: ParamValue]
    var baseDirectory: String
}

/// An edge after includes are expanded, between full node ids.
struct FlatEdge {
    var fromNode: String
    var fromPort: String
    var toNode: String
    var toPort: String
    var location: SourceLocation
    var queue: Int?
    var policy: EdgePolicy?
    var feedback: Bool
}

/// One graph file's contribution, and the interface it offers to a file that includes it.
struct Expansion {
    var nodes: [FlatNode] = []
    var edges: [FlatEdge] = []
    var outputs: [String: (node: String, port: String)] = [:]
    /// Subgraph input name -> the internal ports fed from it, with their edge options.
    var inputConsumers: [String: [(node: String, port: String, edge: EdgeDeclaration, queue: Int?, policy: EdgePolicy?)]] = [:]
    var plugins: [(path: String, location: SourceLocation)] = []
}

/// Loads a graph file and every file it includes, and flattens them into one node and edge list.
final class GraphExpander {
    static let maxIncludeDepth = 16
    var diagnostics: [Diagnostic] = []
    var sources: [String: String] = [:]
    var rootDocument: GraphDocument?
    private var stack: [String] = []
    private let reader = YAMLReader()

    /// `given` holds values for the file's params: `--set` for the root, the include's params otherwise.
    func expand(file: String, prefix: String, given: [String: (ParamValue, SourceLocation?)],
                includedAt: SourceLocation?, isRoot: Bool) -> Expansion? {
        let canonical = URL(fileURLWithPath: file).standardizedFileURL.resolvingSymlinksInPath().path
        if stack.contains(canonical) {
            let chain = (stack + [canonical]).map { URL(fileURLWithPath: $0).lastPathComponent }.joined(separator: " -> ")
            diagnostics.append(.error("include cycle: \(chain)", at: includedAt))
            return nil
        }
        if stack.count >= GraphExpander.maxIncludeDepth {
            diagnostics.append(.error("includes nest deeper than \(GraphExpander.maxIncludeDepth) files", at: includedAt))
            return nil
        }
        let root: YNode
        do {
            let (node, text) = try reader.read(file: file)
            sources[file] = text
            root = node
        } catch {
            if let text = try? String(contentsOfFile: file, encoding: .utf8) { sources[file] = text }
            diagnostics += error.diagnostics
            return nil
        }
        var parser = GraphParser()
        let parsed = parser.parse(root, file: file)
        diagnostics += parser.diagnostics
        guard let doc = parsed else { return nil }
        if isRoot { rootDocument = doc }
        stack.append(canonical)
        defer { stack.removeLast() }

        let env = environment(for: doc, given: given, includedAt: includedAt, isRoot: isRoot)
        let directory = (file as NSString).deletingLastPathComponent
        var out = Expansion()
        let substitution = Substitution(env: env)
        for plugin in doc.plugins {
            if let path = substitution.string(plugin.path, at: plugin.location, diagnostics: &diagnostics) {
                out.plugins.append((GraphExpander.resolve(path, against: directory), plugin.location))
            }
        }

        // Expand includes first: references into them need their outputs.
        var subgraphs: [String: Expansion] = [:]
        var localIds = Set<String>()
        for decl in doc.nodes {
            localIds.insert(decl.id)
            if decl.id == "in" && !isRoot {
                diagnostics.append(.error("'in' names a subgraph's inputs; choose another node id", at: decl.location))
            }
            if let include = decl.include, let includeLocation = decl.includeLocation {
                guard let path = substitution.string(include, at: includeLocation, diagnostics: &diagnostics) else { continue }
                let target = GraphExpander.resolve(path, against: directory)
                guard FileManager.default.fileExists(atPath: target) else {
                    diagnostics.append(.error("cannot include '\(path)': no such file (looked for \(target))", at: includeLocation))
                    continue
                }
                var values: [String: (ParamValue, SourceLocation?)] = [:]
                for p in decl.params {
                    if let v = substitution.value(p.value, diagnostics: &diagnostics) { values[p.name] = (v, p.nameLocation) }
                }
                if let sub = expand(file: target, prefix: prefix + decl.id + "/", given: values, includedAt: includeLocation, isRoot: false) {
                    subgraphs[decl.id] = sub
                    out.nodes += sub.nodes
                    out.edges += sub.edges
                    out.plugins += sub.plugins
                }
            } else if decl.type != nil {
                out.nodes.append(FlatNode(id: prefix + decl.id, decl: decl, env: env, baseDirectory: directory))
            }
        }
        let declaredInputs = Set(doc.inputs.map(\.name))

        func source(_ ref: PortReference, at loc: SourceLocation) -> (node: String, port: String)? {
            if let sub = subgraphs[ref.node] {
                guard let o = sub.outputs[ref.port] else {
                    diagnostics.append(.error("subgraph '\(ref.node)' has no output '\(ref.port)'\(Suggestion.didYouMean(ref.port, sub.outputs.keys.sorted())); it has: \(sub.outputs.keys.sorted().joined(separator: ", "))", at: loc))
                    return nil
                }
                return o
            }
            guard localIds.contains(ref.node) else {
                diagnostics.append(.error("unknown node '\(ref.node)' in '\(ref)'\(Suggestion.didYouMean(ref.node, localIds.sorted()))", at: loc))
                return nil
            }
            // An include that failed to expand already has its own error.
            if doc.nodes.first(where: { $0.id == ref.node })?.include != nil { return nil }
            return (prefix + ref.node, ref.port)
        }

        for decl in doc.nodes {
            for input in decl.inputs {
                for edge in input.edges {
                    if edge.from.node == "in" && !isRoot {
                        guard declaredInputs.contains(edge.from.port) else {
                            diagnostics.append(.error("this subgraph declares no input '\(edge.from.port)'; add it under 'inputs:'\(Suggestion.didYouMean(edge.from.port, declaredInputs.sorted()))", at: edge.location))
                            continue
                        }
                        if decl.include != nil {
                            diagnostics.append(.error("a subgraph input cannot feed an include directly; connect it to a node", at: edge.location))
                            continue
                        }
                        out.inputConsumers[edge.from.port, default: []].append((prefix + decl.id, input.port, edge, decl.queue, decl.policy))
                        continue
                    }
                    guard let from = source(edge.from, at: edge.location) else { continue }
                    if decl.include != nil {
                        guard let sub = subgraphs[decl.id] else { continue }
                        guard let consumers = sub.inputConsumers[input.port] else {
                            diagnostics.append(.error("subgraph '\(decl.id)' has no input '\(input.port)'\(Suggestion.didYouMean(input.port, sub.inputConsumers.keys.sorted()))", at: input.location))
                            continue
                        }
                        for c in consumers {
                            out.edges.append(FlatEdge(fromNode: from.node, fromPort: from.port, toNode: c.node, toPort: c.port,
                                                      location: edge.location, queue: c.edge.queue ?? edge.queue ?? c.queue,
                                                      policy: c.edge.policy ?? edge.policy ?? c.policy, feedback: edge.feedback || c.edge.feedback))
                        }
                    } else {
                        out.edges.append(FlatEdge(fromNode: from.node, fromPort: from.port, toNode: prefix + decl.id, toPort: input.port,
                                                  location: edge.location, queue: edge.queue ?? decl.queue,
                                                  policy: edge.policy ?? decl.policy, feedback: edge.feedback))
                    }
                }
            }
        }
        for o in doc.outputs {
            if let s = source(o.from, at: o.location) { out.outputs[o.name] = s }
        }
        return out
    }

    static func resolve(_ path: String, against directory: String) -> String {
        if path.hasPrefix("/") || directory.isEmpty { return path }
        return (directory as NSString).appendingPathComponent(path)
    }

    /// The file's param values: declared defaults, then what the includer or `--set` gave.
    private func environment(for doc: GraphDocument, given: [String: (ParamValue, SourceLocation?)],
                             includedAt: SourceLocation?, isRoot: Bool) -> [String: ParamValue] {
        var env: [String: ParamValue] = [:]
        let specs = Dictionary(doc.params.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        for (name, (value, loc)) in given.sorted(by: { $0.key < $1.key }) {
            guard let decl = specs[name] else {
                let what = isRoot ? "--set \(name): the graph has no param '\(name)'" : "the included graph has no param '\(name)'"
                diagnostics.append(.error(what + Suggestion.didYouMean(name, specs.keys.sorted()), at: loc))
                continue
            }
            do { env[name] = try decl.spec.coerce(value) }
            catch {
                let what = isRoot ? "bad --set \(name)=\(value): \(error.message)" : "param '\(name)': \(error.message)"
                diagnostics.append(.error(what, at: loc))
                // Keep checking with the default rather than reporting every use of the param too.
                if let d = decl.spec.defaultValue { env[name] = d }
            }
        }
        for decl in doc.params where env[decl.name] == nil && given[decl.name] == nil {
            if let d = decl.spec.defaultValue { env[decl.name] = d }
            else {
                let how = isRoot ? "give it with --set \(decl.name)=VALUE" : "set it in the include's params"
                diagnostics.append(.error("param '\(decl.name)' has no default and no value; \(how)", at: includedAt ?? decl.location))
            }
        }
        return env
    }
}

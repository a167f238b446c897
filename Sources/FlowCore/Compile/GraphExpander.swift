import Foundation
import FlowKit

/// Loads a graph file and every file it includes, and flattens them into one node and edge list.
final class GraphExpander {
    static let maxIncludeDepth = 16
    /// Nodes after includes are expanded. Sixteen levels of files that each include the next twice make
    /// 65,536 copies of the last; hand-written graphs have tens of nodes.
    static let maxNodes = 20_000
    var diagnostics: [Diagnostic] = []
    var sources: [String: String] = [:]
    var rootDocument: GraphDocument?
    private var stack: [String] = []
    private let reader = YAMLReader()
    private var documents: [String: GraphDocument?] = [:]
    private var nodeCount = 0
    private var refusedMoreNodes = false
    /// See `suggestion(for:in:)`.
    var idSuggestions: [String: String] = [:]

    /// `given` holds values for the file's params: `--set` for the root, the include's params otherwise.
    func expand(file: String, prefix: String, given: [String: (ParamValue, SourceLocation?)],
                includedAt: SourceLocation?, isRoot: Bool) -> Expansion? {
        let canonical = URL(fileURLWithPath: file).standardizedFileURL.resolvingSymlinksInPath().path
        guard mayEnter(canonical, includedAt: includedAt), let doc = load(file, includedAt: includedAt) else { return nil }
        if isRoot { rootDocument = doc }
        stack.append(canonical)
        defer { stack.removeLast() }

        var scope = FileScope(doc: doc, prefix: prefix, directory: (file as NSString).deletingLastPathComponent,
                              env: environment(for: doc, given: given, includedAt: includedAt, isRoot: isRoot), isRoot: isRoot)
        var out = Expansion()
        out.plugins = plugins(of: scope)
        // Includes first: references into them need their outputs.
        addNodes(of: &scope, to: &out)
        addEdges(of: scope, to: &out)
        noteUnconnectedInputs(of: scope, in: &out)
        for o in doc.outputs {
            if let s = source(o.from, at: o.location, in: scope) { out.outputs[o.name] = s }
        }
        return out
    }

    /// Refuses a file already being expanded (an include cycle) or one nested too deep.
    private func mayEnter(_ canonical: String, includedAt: SourceLocation?) -> Bool {
        if stack.contains(canonical) {
            let chain = (stack + [canonical]).map { URL(fileURLWithPath: $0).lastPathComponent }.joined(separator: " -> ")
            diagnostics.append(.error("include cycle: \(chain)", at: includedAt))
            return false
        }
        if stack.count >= GraphExpander.maxIncludeDepth {
            diagnostics.append(.error("includes nest deeper than \(GraphExpander.maxIncludeDepth) files", at: includedAt))
            return false
        }
        return true
    }

    /// Reads and parses one file, keeping its text so diagnostics can quote it. A subgraph included many
    /// times is read once, and its syntax errors are reported once.
    private func load(_ file: String, includedAt: SourceLocation?) -> GraphDocument? {
        if let known = documents[file] { return known }
        let document = read(file, includedAt: includedAt)
        documents[file] = document
        return document
    }

    private func read(_ file: String, includedAt: SourceLocation?) -> GraphDocument? {
        let root: YNode
        do {
            let (node, text) = try reader.read(file: file)
            sources[file] = text
            root = node
        } catch {
            if let text = try? String(contentsOfFile: file, encoding: .utf8) { sources[file] = text }
            // A file that cannot be read at all has nothing to point into; its include line does.
            diagnostics += error.diagnostics.map { d in
                var d = d
                if d.location == nil { d.location = includedAt }
                return d
            }
            return nil
        }
        var parser = GraphParser()
        let parsed = parser.parse(root, file: file)
        diagnostics += parser.diagnostics
        return parsed
    }

    private func plugins(of scope: FileScope) -> [(path: String, location: SourceLocation)] {
        scope.doc.plugins.compactMap { plugin in
            scope.substitution.string(plugin.path, at: plugin.location, diagnostics: &diagnostics)
                .map { (GraphExpander.resolve($0, against: scope.directory), plugin.location) }
        }
    }

    /// This file's nodes, with each include replaced by the nodes of its expansion.
    private func addNodes(of scope: inout FileScope, to out: inout Expansion) {
        for decl in scope.doc.nodes {
            scope.localIds.insert(decl.id)
            if decl.include != nil { scope.includeIds.insert(decl.id) }
            if decl.id == "in" && !scope.isRoot {
                diagnostics.append(.error("'in' names a subgraph's inputs; choose another node id", at: decl.location))
            }
            if let include = decl.include, let includeLocation = decl.includeLocation {
                guard nodeCount <= GraphExpander.maxNodes else {
                    refuseMoreNodes(at: includeLocation)
                    continue
                }
                guard var sub = expandInclude(decl, path: include, at: includeLocation, in: scope) else { continue }
                if let rank = rank(of: decl, in: scope) {
                    for i in sub.nodes.indices where sub.nodes[i].rank == nil { sub.nodes[i].rank = rank }
                }
                scope.subgraphs[decl.id] = sub
                out.nodes += sub.nodes
                out.edges += sub.edges
                out.plugins += sub.plugins
                out.unconnectedInputs.merge(sub.unconnectedInputs) { a, _ in a }
            } else if let rawType = decl.type {
                nodeCount += 1
                var resolved = decl
                // A type may come from a param (`type: ${scorer}`, its choices the node types that fit), so a
                // library lets its includer swap one node for another with the same ports.
                if rawType.contains("${") {
                    resolved.type = scope.substitution.string(rawType, at: decl.typeLocation ?? decl.location, diagnostics: &diagnostics)
                }
                out.nodes.append(FlatNode(id: scope.prefix + decl.id, decl: resolved, env: scope.env, baseDirectory: scope.directory,
                                          rank: rank(of: decl, in: scope)))
            }
        }
        scope.sortedIds = scope.localIds.sorted()
    }

    /// Said once, at the first include not expanded.
    private func refuseMoreNodes(at location: SourceLocation) {
        guard !refusedMoreNodes else { return }
        refusedMoreNodes = true
        diagnostics.append(.error("the graph expands to more than \(GraphExpander.maxNodes) nodes (includes that include each other several times?); this include and later ones are not expanded", at: location))
    }

    private func expandInclude(_ decl: NodeDeclaration, path include: String, at includeLocation: SourceLocation,
                               in scope: FileScope) -> Expansion? {
        guard let path = scope.substitution.string(include, at: includeLocation, diagnostics: &diagnostics) else { return nil }
        let target = GraphExpander.resolve(path, against: scope.directory)
        guard FileManager.default.fileExists(atPath: target) else {
            diagnostics.append(.error("cannot include '\(path)': no such file (looked for \(target))", at: includeLocation))
            return nil
        }
        var values: [String: (ParamValue, SourceLocation?)] = [:]
        for p in decl.params {
            if let v = scope.substitution.value(p.value, diagnostics: &diagnostics) { values[p.name] = (v, p.nameLocation) }
        }
        return expand(file: target, prefix: scope.prefix + decl.id + "/", given: values, includedAt: includeLocation, isRoot: false)
    }

    static func resolve(_ path: String, against directory: String) -> String {
        if path.hasPrefix("/") || directory.isEmpty { return path }
        return (directory as NSString).appendingPathComponent(path)
    }
}

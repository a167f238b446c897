import Foundation
import FlowKit

/// A few nodes wired in Swift and run in-process on the sequential scheduler: the test bench for nodes that
/// work together (a denoiser and its cache manager in their loop), as swift-nio's EmbeddedChannel is for a
/// pipeline of handlers. It goes through the real compiler (contracts, types, shapes, params) and scheduler,
/// so what passes here runs the same in a graph file.
///
///     let g = EmbeddedGraph()
///     g.add("denoise", DenoiserBlockNode.self, ["model": .string(dir)])
///     g.add("kv", CacheManagerNode.self)
///     g.connect("denoise.kv", to: "kv.update")
///     g.connect("kv.context", to: "denoise.cache", feedback: true)
///     g.capture("denoise.latents")
///     let run = try g.run()
///     let blocks = try run.payloads("denoise.latents", as: LatentBlock.self)
public final class EmbeddedGraph {
    struct NodeEntry {
        var id: String
        var type: String
        var params: [String: ParamValue]
    }
    struct Edge {
        var from: String
        var to: String
        var queue: Int?
        var policy: EdgePolicy?
        var feedback: Bool
    }

    private var nodes: [NodeEntry] = []
    private var edges: [Edge] = []
    private var captures: [String] = []
    private var problems: [String] = []
    /// Relative path params resolve against this folder, as they would against a graph file's.
    public let baseDirectory: String
    public let name: String

    public init(name: String = "embedded", baseDirectory: String = FileManager.default.currentDirectoryPath) {
        self.name = name
        self.baseDirectory = baseDirectory
    }

    /// Adds a node; its type is registered if no type of that name is (a test's own node types included).
    public func add<N: Node>(_ id: String, _ type: N.Type, _ params: [String: ParamValue] = [:]) {
        if let existing = NodeRegistry.shared.lookup(N.contract.type) {
            if ObjectIdentifier(existing.nodeType) != ObjectIdentifier(N.self) {
                problems.append("node '\(id)': type name '\(N.contract.type)' of \(N.self) is already registered by \(existing.nodeType) (\(existing.origin))")
            }
        } else {
            try? NodeRegistry.shared.register(N.self, origin: "built-in")
        }
        nodes.append(NodeEntry(id: id, type: N.contract.type, params: absolutePaths(params, of: N.contract)))
    }

    /// Joins `node.output` to `node.input`.
    public func connect(_ from: String, to: String, queue: Int? = nil, policy: EdgePolicy? = nil, feedback: Bool = false) {
        edges.append(Edge(from: from, to: to, queue: queue, policy: policy, feedback: feedback))
    }

    /// Keeps every packet of `node.output`; read them from the run with `packets(_:)`.
    public func capture(_ output: String) {
        captures.append(output)
    }

    /// Compiles and runs to the end. Compile errors and a node's failure are thrown with their messages.
    public func run() throws -> EmbeddedRun {
        if !problems.isEmpty { throw NodeError(problems.joined(separator: "\n")) }
        if NodeRegistry.shared.lookup(EmbeddedCapture.contract.type) == nil {
            try? NodeRegistry.shared.register(EmbeddedCapture.self, origin: "built-in")
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("flowrun-embedded-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("\(name).yaml").path
        try yaml().write(toFile: file, atomically: true, encoding: .utf8)
        let result = GraphCompiler(cores: 1).compile(file: file)
        guard let graph = result.graph else {
            throw NodeError("embedded graph does not compile:\n" + result.renderer.render(result.errors))
        }
        let run = try GraphRun(graph: graph, options: RunOptions(sequential: true))
        switch run.run() {
        case .completed: return EmbeddedRun(run: run, captures: Dictionary(uniqueKeysWithValues: captures.map { ($0, captureID($0)) }))
        case .failed(let failure): throw failure
        case .interrupted: throw NodeError("embedded graph was interrupted")
        }
    }

    func captureID(_ output: String) -> String { "capture_" + output.replacingOccurrences(of: ".", with: "_") }

    /// The graph as a graph file would write it.
    func yaml() -> String {
        var lines = ["version: 1", "name: \(YAMLFlow.quoted(name))", "nodes:"]
        var inputs: [String: [String: [Edge]]] = [:]
        for e in edges {
            let (node, port) = split(e.to)
            inputs[node, default: [:]][port, default: []].append(e)
        }
        for n in nodes {
            var fields = ["type: \(n.type)"] + n.params.sorted { $0.key < $1.key }.map { "\($0.key): \(YAMLFlow.render($0.value))" }
            if let ports = inputs[n.id] {
                let written = ports.sorted { $0.key < $1.key }.map { port, list in
                    "\(port): " + (list.count == 1 ? edgeText(list[0]) : "[" + list.map(edgeText).joined(separator: ", ") + "]")
                }
                fields.append("inputs: { \(written.joined(separator: ", ")) }")
            }
            lines.append("  \(n.id): { \(fields.joined(separator: ", ")) }")
        }
        for c in captures {
            lines.append("  \(captureID(c)): { type: \(EmbeddedCapture.contract.type), inputs: { in: \(c) } }")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private func edgeText(_ e: Edge) -> String {
        var parts = ["from: \(e.from)"]
        if let q = e.queue { parts.append("queue: \(q)") }
        if let p = e.policy { parts.append("policy: \(p.rawValue)") }
        if e.feedback { parts.append("feedback: true") }
        return "{ \(parts.joined(separator: ", ")) }"
    }

    private func split(_ ref: String) -> (String, String) {
        guard let dot = ref.lastIndex(of: ".") else { return (ref, "") }
        return (String(ref[..<dot]), String(ref[ref.index(after: dot)...]))
    }

    private func absolutePaths(_ params: [String: ParamValue], of contract: NodeContract) -> [String: ParamValue] {
        params.reduce(into: [:]) { out, item in
            if contract.param(item.key)?.type == .path, case .string(let p) = item.value, !p.isEmpty, !p.hasPrefix("/") {
                out[item.key] = .string(URL(fileURLWithPath: p, relativeTo: URL(fileURLWithPath: baseDirectory, isDirectory: true)).path)
            } else {
                out[item.key] = item.value
            }
        }
    }
}

/// A finished embedded run: captured packets and the node instances.
public struct EmbeddedRun {
    public let run: GraphRun
    let captures: [String: String]

    /// Every packet the captured output emitted, in order.
    public func packets(_ output: String) -> [Packet] {
        guard let id = captures[output], let sink = run.instance(id) as? EmbeddedCapture else {
            preconditionFailure("'\(output)' was not captured; call capture(\"\(output)\") before run()")
        }
        return sink.packets
    }

    public func payloads<T>(_ output: String, as: T.Type = T.self) throws -> [T] {
        try packets(output).map { try $0.value(as: T.self) }
    }

    /// A node instance of the run, to read its state after the run.
    public func node<N: Node>(_ id: String, as: N.Type = N.self) -> N? { run.instance(id) as? N }
}

import Foundation
import FlowKit

/// Loads a graph file with its includes, checks everything that can be checked before running,
/// and produces a `CompiledGraph` or every error at once.
public struct GraphCompiler {
    public static let defaultQueue = 2

    public var registry: NodeRegistry
    /// Loads a plugin named by the graph's `plugins:` list before node types are resolved.
    public var loadPlugin: ((String) throws -> Void)?
    /// Cores the scheduler may hand out as thread budgets to compute-heavy nodes.
    public var cores: Int

    public init(registry: NodeRegistry = .shared, cores: Int = ProcessInfo.processInfo.activeProcessorCount,
                loadPlugin: ((String) throws -> Void)? = nil) {
        self.registry = registry
        self.cores = max(1, cores)
        self.loadPlugin = loadPlugin
    }

    /// The result: the graph, or the diagnostics; `sources` lets a renderer quote the files.
    public struct Result {
        public var graph: CompiledGraph?
        public var diagnostics: [Diagnostic]
        public var sources: [String: String]
        public var errors: [Diagnostic] { diagnostics.filter { $0.severity == .error } }

        public var renderer: DiagnosticRenderer {
            var r = DiagnosticRenderer()
            for (f, t) in sources { r.add(file: f, text: t) }
            return r
        }
    }

    /// `overrides` are `--set key=value` strings, typed by the graph's param declarations.
    public func compile(file: String, overrides: [String] = []) -> Result {
        let expander = GraphExpander()
        var diagnostics: [Diagnostic] = []
        var given: [String: (ParamValue, SourceLocation?)] = [:]
        for o in overrides {
            guard let eq = o.firstIndex(of: "="), eq != o.startIndex else {
                diagnostics.append(.error("bad --set '\(o)': write key=value, e.g. --set frames=960", at: nil))
                continue
            }
            let key = String(o[..<eq]), raw = String(o[o.index(after: eq)...])
            given[key] = (GraphCompiler.parseOverride(raw), nil)
        }
        guard let expansion = expander.expand(file: file, prefix: "", given: given, includedAt: nil, isRoot: true) else {
            return Result(graph: nil, diagnostics: diagnostics + expander.diagnostics, sources: expander.sources)
        }
        diagnostics += expander.diagnostics
        for plugin in expansion.plugins {
            do { try loadPlugin?(plugin.path) }
            catch { diagnostics.append(.error("\(error)", at: plugin.location)) }
            if loadPlugin == nil { diagnostics.append(.error("plugins are not supported by this host", at: plugin.location)) }
        }
        var checker = GraphChecker(registry: registry, cores: cores, expansion: expansion)
        let graph = checker.check(document: expander.rootDocument, file: file)
        diagnostics += checker.diagnostics
        let failed = diagnostics.contains { $0.severity == .error }
        return Result(graph: failed ? nil : graph, diagnostics: diagnostics, sources: expander.sources)
    }

    /// A `--set` value is read as YAML so lists work (`--set steps=[1000,500]`); plain text stays text.
    static func parseOverride(_ raw: String) -> ParamValue {
        if raw.hasPrefix("[") || raw.hasPrefix("{"), let node = try? YAMLReader().parse(raw, file: "--set") {
            var p = GraphParser()
            if let v = p.literal(node) { return v }
        }
        return GraphParser.plainScalar(raw)
    }
}

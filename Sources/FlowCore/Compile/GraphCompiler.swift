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
        let arguments = OverrideArguments(overrides)
        let expansion = expander.expand(file: file, prefix: "", given: arguments.values, includedAt: nil, isRoot: true)
        var diagnostics = arguments.malformed.map { o in
            Diagnostic.error("bad --set '\(o)': write key=value, e.g. --set frames=960",
                             at: expander.rootDocument.map { GraphExpander.overrideLocation(o, in: $0) } ?? SourceLocation(file: file, line: 1, column: 1))
        }
        diagnostics += expander.diagnostics
        guard let expansion else {
            return Result(graph: nil, diagnostics: GraphCompiler.once(diagnostics), sources: expander.sources)
        }
        for plugin in expansion.plugins {
            do { try loadPlugin?(plugin.path) }
            catch { diagnostics.append(.error("\(error)", at: plugin.location)) }
            if loadPlugin == nil { diagnostics.append(.error("plugins are not supported by this host", at: plugin.location)) }
        }
        var checker = GraphChecker(registry: registry, cores: cores, expansion: expansion)
        let graph = checker.check(document: expander.rootDocument, file: file)
        diagnostics += checker.diagnostics
        let failed = diagnostics.contains { $0.severity == .error }
        return Result(graph: failed ? nil : graph, diagnostics: GraphCompiler.once(diagnostics), sources: expander.sources)
    }


    /// Each diagnostic once, in order: a subgraph included many times repeats the errors in its own text.
    static func once(_ diagnostics: [Diagnostic]) -> [Diagnostic] {
        var seen = Set<Diagnostic>()
        return diagnostics.filter { seen.insert($0).inserted }
    }
}

import Foundation
import FlowCore

/// What every compile of a fuzzed graph must satisfy: it compiles, or it fails with errors, each placed
/// at a file:line:col inside the file it names, in words meant for a person (no raw library errors).
enum FuzzOracle {
    /// Text that only shows up when an underlying error is passed through as is.
    static let rawErrorMarks = ["yaml_", "Optional(", "Error Domain", "NSCocoaErrorDomain", "Swift.", "operation could not be completed"]

    struct Report: Sendable {
        var problems: [String] = []
        var compiled = false
    }

    static func check(file: String, overrides: [String]) -> Report {
        let result = GraphCompiler(cores: 2).compile(file: file, overrides: overrides)
        var report = Report(compiled: result.graph != nil)
        if result.graph == nil && result.errors.isEmpty { report.problems.append("no graph, yet no error") }
        if result.graph != nil && !result.errors.isEmpty { report.problems.append("a graph despite errors") }
        let renderer = result.renderer
        for d in result.diagnostics.flatMap({ [$0] + $0.notes }) {
            report.problems += problems(with: d, sources: result.sources, renderer: renderer)
        }
        _ = renderer.render(result.diagnostics)
        if let graph = result.graph { _ = GraphvizExport.dot(graph) }
        return report
    }

    static func problems(with d: Diagnostic, sources: [String: String], renderer: DiagnosticRenderer) -> [String] {
        var out: [String] = []
        if d.message.isEmpty { out.append("\(d.severity) with no message") }
        if let mark = rawErrorMarks.first(where: { d.message.contains($0) }) {
            out.append("raw error text ('\(mark)'): \(d.message)")
        }
        guard let loc = d.location else {
            out.append("\(d.severity) without a position: \(d.message)")
            return out
        }
        if loc.file.isEmpty || loc.line < 1 || loc.column < 1 {
            out.append("\(d.severity) at an impossible position \(loc): \(d.message)")
        } else if sources[loc.file] != nil, renderer.quotedLine(at: loc) == nil {
            out.append("\(d.severity) at line \(loc.line), past the end of its file: \(d.message)")
        }
        return out
    }
}

import Foundation

/// One message about a graph, with where it is and, optionally, related places.
public struct Diagnostic: Sendable, Hashable, CustomStringConvertible {
    public enum Severity: String, Sendable { case error, warning, note }

    public var severity: Severity
    public var location: SourceLocation?
    public var message: String
    public var notes: [Diagnostic]

    public init(_ severity: Severity, _ message: String, at location: SourceLocation?, notes: [Diagnostic] = []) {
        self.severity = severity
        self.message = message
        self.location = location
        self.notes = notes
    }

    public static func error(_ message: String, at location: SourceLocation?, notes: [Diagnostic] = []) -> Diagnostic {
        Diagnostic(.error, message, at: location, notes: notes)
    }

    public static func warning(_ message: String, at location: SourceLocation?) -> Diagnostic {
        Diagnostic(.warning, message, at: location)
    }

    public static func note(_ message: String, at location: SourceLocation?) -> Diagnostic {
        Diagnostic(.note, message, at: location)
    }

    /// `file:line:col: error: message`, the first line of the rendered form.
    public var description: String {
        let place = location.map { "\($0): " } ?? "flowrun: "
        return "\(place)\(severity.rawValue): \(message)"
    }
}

/// Everything wrong with a graph at once; the CLI prints them all and exits 2.
public struct GraphErrors: Error, CustomStringConvertible {
    public var diagnostics: [Diagnostic]
    public init(_ diagnostics: [Diagnostic]) { self.diagnostics = diagnostics }
    public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}

/// Renders diagnostics like a compiler: header line, the source line, a caret under the column.
public struct DiagnosticRenderer {
    private var sources: [String: [Substring]] = [:]

    public init() {}

    /// Registers a file's text so its lines can be quoted.
    public mutating func add(file: String, text: String) {
        sources[file] = SourceLines.split(text)
    }

    /// The line of a registered file that a diagnostic at `location` quotes, if there is one.
    public func quotedLine(at location: SourceLocation) -> Substring? {
        guard let lines = sources[location.file], location.line >= 1, location.line <= lines.count else { return nil }
        return lines[location.line - 1]
    }

    public func render(_ d: Diagnostic) -> String {
        var out = d.description
        if let loc = d.location, let quoted = quotedLine(at: loc) {
            // Columns count Unicode scalars, as libyaml's do.
            var line = String.UnicodeScalarView(quoted.unicodeScalars)
            // Very long lines (minified or hostile input) would drown the message.
            let cut = line.count > 200
            if cut { line = String.UnicodeScalarView(line.prefix(200)) }
            let width = max(0, min(loc.column - 1, line.count))
            let pad = String(line.prefix(width).map { $0 == "\t" ? Character("\t") : Character(" ") })
            out += "\n  " + String(line) + (cut ? "…" : "") + "\n  " + pad + "^"
        }
        for note in d.notes { out += "\n" + render(note) }
        return out
    }

    public func render(_ ds: [Diagnostic]) -> String { ds.map(render).joined(separator: "\n") }
}

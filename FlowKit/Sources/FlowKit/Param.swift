/// A parameter value as written in a graph file, after `${param}` substitution.
public enum ParamValue: Sendable, Hashable, CustomStringConvertible {
    case int(Int)
    case float(Double)
    case bool(Bool)
    case string(String)
    case list([ParamValue])
    case map([String: ParamValue])

    public var description: String {
        switch self {
        case .int(let v): return String(v)
        case .float(let v): return String(v)
        case .bool(let v): return String(v)
        case .string(let v): return v
        case .list(let v): return "[" + v.map(\.description).joined(separator: ", ") + "]"
        case .map(let v): return "{" + v.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ") + "}"
        }
    }

    public var intValue: Int? { if case .int(let v) = self { return v }; return nil }
    public var doubleValue: Double? {
        switch self { case .float(let v): return v; case .int(let v): return Double(v); default: return nil }
    }
    public var boolValue: Bool? { if case .bool(let v) = self { return v }; return nil }
    public var stringValue: String? { if case .string(let v) = self { return v }; return nil }
    public var listValue: [ParamValue]? { if case .list(let v) = self { return v }; return nil }
    public var mapValue: [String: ParamValue]? { if case .map(let v) = self { return v }; return nil }
}

/// The declared type of a parameter; the compiler checks graph values against it.
public indirect enum ParamType: Sendable, Hashable, CustomStringConvertible {
    case int
    case float
    case bool
    case string
    case path
    case choice([String])
    case list(ParamType)
    /// A free-form mapping; the node's `check` validates its fields.
    case map

    public var description: String {
        switch self {
        case .int: return "int"
        case .float: return "float"
        case .bool: return "bool"
        case .string: return "string"
        case .path: return "path"
        case .choice(let c): return c.joined(separator: " | ")
        case .list(let t): return "list of \(t)"
        case .map: return "map"
        }
    }
}

/// A parameter in a node's contract. `defaultValue == nil` means the graph must set it.
public struct ParamSpec: Sendable {
    public var name: String
    public var type: ParamType
    public var defaultValue: ParamValue?
    public var range: ClosedRange<Double>?
    public var doc: String

    public init(_ name: String, _ type: ParamType, default defaultValue: ParamValue? = nil,
                range: ClosedRange<Double>? = nil, doc: String) {
        self.name = name
        self.type = type
        self.defaultValue = defaultValue
        self.range = range
        self.doc = doc
    }
}

/// A problem a node's own check found in its parameters, located by the compiler at that parameter.
public struct ParamProblem: Sendable, Hashable {
    public enum Severity: String, Sendable, Hashable {
        /// The graph does not compile.
        case error
        /// The graph runs, but departs from what a model was trained with (or similar); printed before the run.
        case warning
    }

    public var param: String
    public var message: String
    public var severity: Severity

    public init(param: String, _ message: String, severity: Severity = .error) {
        self.param = param
        self.message = message
        self.severity = severity
    }

    public static func warning(param: String, _ message: String) -> ParamProblem {
        ParamProblem(param: param, message, severity: .warning)
    }
}

/// The checked parameters a node instance receives, defaults filled in.
public struct Params: Sendable {
    public var values: [String: ParamValue]
    /// The graph file's folder, against which relative paths resolve (so `check` can look at files).
    public var baseDirectory: String
    /// The graph's name, for output names such as `{name}`.
    public var graphName: String
    /// The params the graph wrote; the others hold their defaults. A node whose defaults come from a model
    /// (`cache.manager` with `model:`) tells the two apart.
    public var written: Set<String>

    public init(_ values: [String: ParamValue] = [:], baseDirectory: String = ".", graphName: String = "",
                written: Set<String>? = nil) {
        self.values = values
        self.baseDirectory = baseDirectory
        self.graphName = graphName
        self.written = written ?? Set(values.keys)
    }

    public func isWritten(_ name: String) -> Bool { written.contains(name) }

    /// A path param resolved against the graph file's folder (absolute paths pass through).
    public func path(_ name: String) -> String {
        let p = string(name)
        if p.hasPrefix("/") || baseDirectory.isEmpty { return p }
        return baseDirectory.hasSuffix("/") ? baseDirectory + p : baseDirectory + "/" + p
    }

    public subscript(_ name: String) -> ParamValue? { values[name] }

    // The compiler has already checked types against the contract, so a mismatch here means a node
    // asked for a param it never declared: a programming error worth a clear message.
    public func int(_ name: String) -> Int {
        guard let v = values[name]?.intValue else { fatalError("param '\(name)' is not a declared int") }
        return v
    }
    public func double(_ name: String) -> Double {
        guard let v = values[name]?.doubleValue else { fatalError("param '\(name)' is not a declared number") }
        return v
    }
    public func bool(_ name: String) -> Bool {
        guard let v = values[name]?.boolValue else { fatalError("param '\(name)' is not a declared bool") }
        return v
    }
    public func string(_ name: String) -> String {
        guard let v = values[name]?.stringValue else { fatalError("param '\(name)' is not a declared string") }
        return v
    }
    public func optionalString(_ name: String) -> String? { values[name]?.stringValue }
    public func ints(_ name: String) -> [Int] { (values[name]?.listValue ?? []).compactMap(\.intValue) }
    public func doubles(_ name: String) -> [Double] { (values[name]?.listValue ?? []).compactMap(\.doubleValue) }
}

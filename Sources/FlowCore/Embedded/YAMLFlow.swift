import FlowKit

/// Param values written as YAML flow text (JSON-like), so an embedded graph goes through the same loader,
/// checks and messages as a graph file.
enum YAMLFlow {
    static func render(_ value: ParamValue) -> String {
        switch value {
        case .int(let v): return String(v)
        case .float(let v):
            // A whole float keeps its point so it stays a float; YAML reads .inf/.nan, not inf/nan.
            if v.isNaN { return ".nan" }
            if v.isInfinite { return v < 0 ? "-.inf" : ".inf" }
            return v == v.rounded() && abs(v) < 1e15 ? String(format: "%.1f", v) : "\(v)"
        case .bool(let v): return v ? "true" : "false"
        case .string(let v): return quoted(v)
        case .list(let items): return "[" + items.map(render).joined(separator: ", ") + "]"
        case .map(let entries):
            return "{" + entries.sorted { $0.key < $1.key }.map { "\(quoted($0.key)): \(render($0.value))" }.joined(separator: ", ") + "}"
        }
    }

    /// A double-quoted YAML scalar: backslash, quote and control characters escaped.
    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += "\\x" + String(format: "%02X", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}

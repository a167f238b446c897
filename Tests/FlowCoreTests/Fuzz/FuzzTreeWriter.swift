@testable import FlowCore

/// Writes a `FuzzTree` as YAML text: mappings in block style as graph files are written, lists and
/// anything inside them in flow style; scalars plain where YAML reads them back unchanged.
enum FuzzTreeWriter {
    static func yaml(_ tree: FuzzTree) -> String {
        var out = ""
        switch tree {
        case .map(let pairs) where !pairs.isEmpty: block(pairs, indent: 0, into: &out)
        default: out = flow(tree) + "\n"
        }
        return out
    }

    private static func block(_ pairs: [(key: String, value: FuzzTree)], indent: Int, into out: inout String) {
        let pad = String(repeating: " ", count: indent)
        for (key, value) in pairs {
            out += pad + scalar(key, quoted: false, inFlow: false) + ":"
            var value = value
            if case .anchored(let name, let inner) = value {
                out += " &" + name
                value = inner
            }
            if case .map(let inner) = value, !inner.isEmpty, indent < 60 {
                out += "\n"
                block(inner, indent: indent + 2, into: &out)
            } else {
                out += " " + flow(value) + "\n"
            }
        }
    }

    static func flow(_ tree: FuzzTree) -> String {
        switch tree {
        case .scalar(let s, let quoted): return scalar(s, quoted: quoted, inFlow: true)
        case .list(let items): return "[" + items.map(flow).joined(separator: ", ") + "]"
        case .map(let pairs): return "{" + pairs.map { scalar($0.key, quoted: false, inFlow: true) + ": " + flow($0.value) }.joined(separator: ", ") + "}"
        case .anchored(let name, let t): return "&\(name) " + flow(t)
        case .alias(let name): return "*" + name
        }
    }

    /// Plain when it is safe to leave unquoted (so `480` stays a number and `${frames}` a reference).
    static func scalar(_ s: String, quoted: Bool, inFlow: Bool) -> String {
        if !quoted && isPlainSafe(s, inFlow: inFlow) { return s }
        return YAMLFlow.quoted(s)
    }

    private static func isPlainSafe(_ s: String, inFlow: Bool) -> Bool {
        guard let first = s.unicodeScalars.first, let last = s.unicodeScalars.last else { return false }
        if " -?:,[]{}#&*!|>'\"%@`".unicodeScalars.contains(first) && !s.hasPrefix("${") && !(first == "-" && s.count > 1 && s.dropFirst().first?.isNumber == true) { return false }
        if last == " " || s.contains(": ") || s.contains(" #") || s.hasSuffix(":") { return false }
        let masked = s.replacingOccurrences(of: "${", with: "").replacingOccurrences(of: "}", with: "")
        if inFlow && masked.contains(where: { ",[]{}".contains($0) }) { return false }
        return !s.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F || $0 == "\u{FEFF}" }
    }
}

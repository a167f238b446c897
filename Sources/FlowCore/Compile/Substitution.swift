import FlowKit

/// Replaces `${param}` in graph values. A value that is exactly `${name}` takes the param's type;
/// inside longer text it is interpolated.
struct Substitution {
    let env: [String: ParamValue]

    func value(_ node: YNode, diagnostics: inout [Diagnostic]) -> ParamValue? {
        switch node {
        case .scalar(let s, let plain, let loc):
            guard s.contains("${") else { return plain ? GraphParser.plainScalar(s) : .string(s) }
            return interpolate(s, at: loc, diagnostics: &diagnostics)
        case .sequence(let items, _):
            var out: [ParamValue] = []
            for i in items { guard let v = value(i, diagnostics: &diagnostics) else { return nil }; out.append(v) }
            return .list(out)
        case .mapping(let pairs, _):
            var out: [String: ParamValue] = [:]
            for p in pairs { guard let v = value(p.value, diagnostics: &diagnostics) else { return nil }; out[p.key] = v }
            return .map(out)
        }
    }

    func string(_ s: String, at loc: SourceLocation, diagnostics: inout [Diagnostic]) -> String? {
        guard s.contains("${") else { return s }
        return interpolate(s, at: loc, diagnostics: &diagnostics)?.description
    }

    private func interpolate(_ s: String, at loc: SourceLocation, diagnostics: inout [Diagnostic]) -> ParamValue? {
        var out = ""
        var rest = Substring(s)
        var whole: ParamValue?
        var pieces = 0
        var column = loc.column
        // The standard library's search, not Foundation's: `range(of:)` copied the rest of the text on
        // every call, so a value with thousands of references took seconds.
        while let start = rest.firstRange(of: "${") {
            out += rest[..<start.lowerBound]
            column += rest[..<start.lowerBound].unicodeScalars.count
            guard let end = rest[start.upperBound...].firstIndex(of: "}") else {
                diagnostics.append(.error("unterminated '${' in '\(s)'", at: SourceLocation(file: loc.file, line: loc.line, column: column)))
                return nil
            }
            let name = String(rest[start.upperBound..<end])
            guard let v = env[name] else {
                diagnostics.append(.error("unknown param '\(name)' in '${\(name)}'\(Suggestion.didYouMean(name, env.keys.sorted()))", at: loc))
                return nil
            }
            whole = v
            pieces += 1
            out += v.description
            column += name.count + 3
            rest = rest[rest.index(after: end)...]
        }
        out += rest
        if pieces == 1, let whole, out == whole.description, s.hasPrefix("${"), s.hasSuffix("}") { return whole }
        return .string(out)
    }
}

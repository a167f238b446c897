import FlowKit

extension GraphParser {
    static let typeNames = ["int", "float", "bool", "string", "path", "list", "map"]

    mutating func parseParams(_ v: YNode) -> [ParamDeclaration] {
        guard let pairs = v.pairs else {
            diagnostics.append(.error("params must be a mapping of name to default value, found \(v.kindName)", at: v.location))
            return []
        }
        var out: [ParamDeclaration] = []
        for p in pairs {
            guard GraphParser.isIdentifier(p.key) else {
                diagnostics.append(.error("param name '\(p.key)' must be an identifier", at: p.keyLocation))
                continue
            }
            if let body = p.value.pairs, body.contains(where: { $0.key == "type" || $0.key == "default" }) {
                if let spec = parseLongParam(name: p.key, body: p.value) { out.append(ParamDeclaration(name: p.key, location: p.keyLocation, spec: spec)) }
            } else if let value = literal(p.value) {
                out.append(ParamDeclaration(name: p.key, location: p.keyLocation, spec: ParamSpec(p.key, GraphParser.inferType(value), default: value, doc: "")))
            }
        }
        return out
    }

    mutating func parseLongParam(name: String, body: YNode) -> ParamSpec? {
        for p in body.pairs ?? [] where !GraphParser.paramKeys.contains(p.key) {
            diagnostics.append(.error("unknown key '\(p.key)' in param '\(name)'\(Suggestion.didYouMean(p.key, GraphParser.paramKeys))", at: p.keyLocation))
        }
        let defaultValue = body["default"].flatMap { literal($0) }
        var type: ParamType
        if let t = body["type"] {
            let s = t.string ?? ""
            switch s {
            case "int": type = .int
            case "float": type = .float
            case "bool": type = .bool
            case "string": type = .string
            case "path": type = .path
            case "map": type = .map
            case "list": type = .list(defaultValue.flatMap { $0.listValue?.first }.map(GraphParser.inferType) ?? .string)
            default:
                diagnostics.append(.error("unknown param type '\(s)'; use one of \(GraphParser.typeNames.joined(separator: ", "))\(Suggestion.didYouMean(s, GraphParser.typeNames))", at: t.location))
                return nil
            }
        } else if let d = defaultValue {
            type = GraphParser.inferType(d)
        } else {
            diagnostics.append(.error("param '\(name)' needs a type or a default", at: body.location))
            return nil
        }
        if let choices = body["choices"] {
            if let items = choices.items?.compactMap(\.string), !items.isEmpty { type = .choice(items) }
            else { diagnostics.append(.error("choices must be a non-empty list", at: choices.location)) }
        }
        func number(_ key: String) -> Double? {
            guard let n = body[key] else { return nil }
            guard let s = n.string, let d = Double(s) else {
                diagnostics.append(.error("\(key) must be a number", at: n.location))
                return nil
            }
            return d
        }
        let lo = number("min"), hi = number("max")
        var range: ClosedRange<Double>?
        if lo != nil || hi != nil {
            let l = lo ?? -Double.greatestFiniteMagnitude, h = hi ?? Double.greatestFiniteMagnitude
            if l <= h { range = l...h }
            else { diagnostics.append(.error("min is greater than max in param '\(name)'", at: body.location)) }
        }
        var spec = ParamSpec(name, type, default: nil, range: range, doc: body["doc"]?.string ?? "")
        if let d = defaultValue {
            do { spec.defaultValue = try spec.coerce(d) }
            catch { diagnostics.append(.error("default of param '\(name)': \(error.message)", at: body["default"]?.location)) }
        }
        return spec
    }

    /// A YAML value as written, with no substitution (graph param defaults are literal).
    mutating func literal(_ v: YNode) -> ParamValue? {
        switch v {
        case .scalar(let s, let plain, _):
            return plain ? GraphParser.plainScalar(s) : .string(s)
        case .sequence(let items, _):
            var out: [ParamValue] = []
            for i in items { if let x = literal(i) { out.append(x) } else { return nil } }
            return .list(out)
        case .mapping(let pairs, _):
            var out: [String: ParamValue] = [:]
            for p in pairs { if let x = literal(p.value) { out[p.key] = x } else { return nil } }
            return .map(out)
        }
    }

    /// YAML 1.2 core-schema reading of an unquoted scalar.
    static func plainScalar(_ s: String) -> ParamValue {
        switch s {
        case "true", "True", "TRUE": return .bool(true)
        case "false", "False", "FALSE": return .bool(false)
        default: break
        }
        if let i = Int(s) { return .int(i) }
        if s.first.map({ $0.isNumber || $0 == "-" || $0 == "+" || $0 == "." }) == true, let d = Double(s), d.isFinite { return .float(d) }
        return .string(s)
    }

    static func inferType(_ v: ParamValue) -> ParamType {
        switch v {
        case .int: return .int
        case .float: return .float
        case .bool: return .bool
        case .string: return .string
        case .map: return .map
        case .list(let items): return .list(items.first.map(inferType) ?? .string)
        }
    }
}

/// Why a param value does not fit its spec; the compiler adds the location.
public struct ParamMismatch: Error, CustomStringConvertible, Sendable {
    public var param: String
    public var message: String
    public var description: String { "param '\(param)': \(message)" }
}

extension ParamSpec {
    /// Checks a value against this spec and converts where YAML is loose (an int where a float is wanted).
    public func coerce(_ value: ParamValue) throws(ParamMismatch) -> ParamValue {
        let v = try ParamSpec.coerce(value, to: type, name: name)
        if let range, let d = v.doubleValue, !range.contains(d) {
            throw ParamMismatch(param: name, message: "\(v) is out of range \(ParamSpec.format(range.lowerBound))...\(ParamSpec.format(range.upperBound))")
        }
        if let range, let list = v.listValue {
            for item in list {
                if let d = item.doubleValue, !range.contains(d) {
                    throw ParamMismatch(param: name, message: "element \(item) is out of range \(ParamSpec.format(range.lowerBound))...\(ParamSpec.format(range.upperBound))")
                }
            }
        }
        return v
    }

    static func format(_ d: Double) -> String {
        if abs(d) >= 1e15 { return d < 0 ? "-inf" : "inf" }
        return d == d.rounded() ? String(Int(d)) : String(d)
    }

    static func coerce(_ value: ParamValue, to type: ParamType, name: String) throws(ParamMismatch) -> ParamValue {
        func fail() -> ParamMismatch {
            ParamMismatch(param: name, message: "expected \(type), got \(value.kindName) '\(value)'")
        }
        switch (type, value) {
        case (.int, .int), (.float, .float), (.bool, .bool), (.string, .string), (.path, .string), (.map, .map):
            return value
        case (.float, .int(let i)):
            return .float(Double(i))
        case (.string, .int), (.string, .float), (.string, .bool):
            return .string(value.description)
        case (.choice(let options), .string(let s)):
            guard options.contains(s) else {
                throw ParamMismatch(param: name, message: "'\(s)' is not one of \(options.joined(separator: ", "))")
            }
            return value
        case (.choice(let options), .int), (.choice(let options), .bool), (.choice(let options), .float):
            let s = value.description
            guard options.contains(s) else {
                throw ParamMismatch(param: name, message: "'\(s)' is not one of \(options.joined(separator: ", "))")
            }
            return .string(s)
        case (.list(let element), .list(let items)):
            var out: [ParamValue] = []
            for item in items { out.append(try coerce(item, to: element, name: name)) }
            return .list(out)
        default:
            throw fail()
        }
    }
}

extension ParamValue {
    public var kindName: String {
        switch self {
        case .int: return "int"
        case .float: return "float"
        case .bool: return "bool"
        case .string: return "string"
        case .list: return "list"
        case .map: return "map"
        }
    }
}

extension NodeContract {
    /// Fills defaults and checks every value; the first problem is thrown. The graph compiler does the
    /// same with file positions; this is for harnesses and code that builds nodes directly.
    public func resolve(_ given: [String: ParamValue]) throws -> Params {
        var out: [String: ParamValue] = [:]
        for key in given.keys where param(key) == nil {
            throw ParamMismatch(param: key, message: "\(type) has no param '\(key)'")
        }
        for spec in params {
            if let v = given[spec.name] { out[spec.name] = try spec.coerce(v) }
            else if let d = spec.defaultValue { out[spec.name] = d }
            else { throw ParamMismatch(param: spec.name, message: "required param is missing") }
        }
        return Params(out, written: Set(given.keys))
    }
}

import FlowKit

/// `--set key=value` arguments, read before the graph is: typed later by the graph's param declarations,
/// and reported against them.
struct OverrideArguments {
    var values: [String: (ParamValue, SourceLocation?)] = [:]
    /// Arguments without `key=`; reported once the graph is read, so they can point into it.
    var malformed: [String] = []

    init(_ arguments: [String]) {
        for o in arguments {
            guard let eq = o.firstIndex(of: "="), eq != o.startIndex else {
                malformed.append(o)
                continue
            }
            values[String(o[..<eq])] = (OverrideArguments.value(String(o[o.index(after: eq)...])), nil)
        }
    }

    /// A `--set` value is read as YAML so lists work (`--set steps=[1000,500]`); plain text stays text.
    static func value(_ raw: String) -> ParamValue {
        if raw.hasPrefix("[") || raw.hasPrefix("{"), let node = try? YAMLReader().parse(raw, file: "--set") {
            var p = GraphParser()
            if let v = p.literal(node) { return v }
        }
        return GraphParser.plainScalar(raw)
    }
}

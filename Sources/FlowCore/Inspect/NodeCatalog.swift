import FlowKit

/// Text for `flowrun nodes TYPE`: ports with types, params with type, default, range and doc.
public enum NodeCatalog {
    public static func describe(_ r: NodeRegistration) -> String {
        let c = r.contract
        var out = "\(c.type) — \(c.summary)\n"
        if r.origin != "built-in" { out += "from plugin \(r.origin)\n" }
        out += "compute: \(c.compute.rawValue)\n"
        func ports(_ title: String, _ list: [PortSpec], inputs: Bool) {
            guard !list.isEmpty else { return }
            out += "\(title):\n"
            for p in list {
                // The Swift payload first: it is what a node casts to and what an emit is checked against.
                var flags: [String] = p.payload.map { ["payload \($0.name)"] } ?? []
                if inputs && !p.required { flags.append("optional") }
                if p.fanIn { flags.append("fan-in") }
                let f = flags.isEmpty ? "" : " (\(flags.joined(separator: ", ")))"
                out += "  \(p.name): \(p.type)\(f)\(p.doc.isEmpty ? "" : " — \(p.doc)")\n"
            }
        }
        ports("inputs", c.inputs, inputs: true)
        ports("outputs", c.outputs, inputs: false)
        if !c.params.isEmpty {
            out += "params:\n"
            for p in c.params {
                var line = "  \(p.name): \(p.type)"
                line += p.defaultValue.map { " = \($0)" } ?? " (required)"
                if let r = p.range { line += " in \(fmt(r.lowerBound))...\(fmt(r.upperBound))" }
                out += line + (p.doc.isEmpty ? "" : " — \(p.doc)") + "\n"
            }
        }
        return out
    }

    public static func suggestion(for word: String, in candidates: [String]) -> String {
        Suggestion.didYouMean(word, candidates)
    }

    static func fmt(_ d: Double) -> String {
        if abs(d) >= 1e15 { return d < 0 ? "-inf" : "inf" }
        return d == d.rounded() ? String(Int(d)) : String(d)
    }
}

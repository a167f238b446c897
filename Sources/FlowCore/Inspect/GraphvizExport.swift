import FlowKit

/// The compiled graph as Graphviz: a box per node (id and type), an arrow per edge labelled with
/// its ports; feedback edges dashed, non-default queue options shown.
public enum GraphvizExport {
    public static func dot(_ graph: CompiledGraph) -> String {
        func quote(_ s: String) -> String { "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"" }
        var out = "digraph \(quote(graph.name.isEmpty ? "flowrun" : graph.name)) {\n"
        out += "  rankdir=LR;\n  node [shape=box, style=rounded, fontname=\"Helvetica\"];\n"
        for n in graph.nodes {
            let shape = n.contract.isSource ? ", shape=invhouse" : n.contract.outputs.isEmpty ? ", shape=house" : ""
            out += "  \(quote(n.id)) [label=\(quote("\(n.id)\n\(n.contract.type)"))\(shape)];\n"
        }
        for e in graph.edges {
            var label = "\(e.fromPort) → \(e.toPort)"
            if e.capacity != GraphCompiler.defaultQueue { label += "\nqueue \(e.capacity)" }
            if e.policy != .block { label += "\n\(e.policy.rawValue)" }
            let style = e.feedback ? ", style=dashed, constraint=false" : ""
            out += "  \(quote(graph.nodes[e.from].id)) -> \(quote(graph.nodes[e.to].id)) [label=\(quote(label))\(style)];\n"
        }
        return out + "}\n"
    }
}

import Foundation
import FlowKit

extension GraphChecker {
    mutating func checkParams(_ flat: FlatNode, contract: NodeContract, type: any Node.Type, origin: String) -> Params? {
        // Errors about a plugin's node say which plugin, so users know whom to ask.
        let plugin = origin == "built-in" ? "" : " (\(contract.type) from plugin \((origin as NSString).lastPathComponent))"
        let substitution = Substitution(env: flat.env)
        var values: [String: ParamValue] = [:]
        var locations: [String: SourceLocation] = [:]
        var ok = true
        for p in flat.decl.params {
            guard let spec = contract.param(p.name) else {
                let known = contract.params.map(\.name)
                let list = known.isEmpty ? "it takes no params" : "its params: \(known.joined(separator: ", "))"
                diagnostics.append(.error("unknown param '\(p.name)' for \(contract.type); \(list)\(Suggestion.didYouMean(p.name, known))", at: p.nameLocation))
                ok = false
                continue
            }
            guard let raw = substitution.value(p.value, diagnostics: &diagnostics) else { ok = false; continue }
            do {
                values[p.name] = try spec.coerce(raw)
                locations[p.name] = p.value.location
            } catch {
                diagnostics.append(.error("param '\(p.name)' of node '\(flat.id)'\(plugin): \(error.message)", at: p.value.location))
                ok = false
            }
        }
        for spec in contract.params where values[spec.name] == nil {
            if let d = spec.defaultValue { values[spec.name] = d }
            else if !flat.decl.params.contains(where: { $0.name == spec.name }) {
                diagnostics.append(.error("node '\(flat.id)' (\(contract.type)) is missing required param '\(spec.name)' (\(spec.type)): \(spec.doc)", at: flat.decl.location))
                ok = false
            }
        }
        guard ok else { return nil }
        values = PathResolution.resolve(values, of: contract, against: flat.baseDirectory)
        let params = Params(values, baseDirectory: flat.baseDirectory, graphName: graphName,
                            written: Set(flat.decl.params.map(\.name)))
        for problem in type.check(params) {
            if problem.severity == .warning {
                diagnostics.append(.warning("param '\(problem.param)' of node '\(flat.id)'\(plugin): \(problem.message)", at: locations[problem.param] ?? flat.decl.location))
                continue
            }
            diagnostics.append(.error("param '\(problem.param)' of node '\(flat.id)'\(plugin): \(problem.message)", at: locations[problem.param] ?? flat.decl.location))
            ok = false
        }
        return ok ? params : nil
    }
}

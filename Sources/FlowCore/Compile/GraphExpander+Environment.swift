import FlowKit

extension GraphExpander {
    /// The file's param values: declared defaults, then what the includer or `--set` gave.
    /// Path params come out absolute, resolved against the file the value was written in.
    func environment(for doc: GraphDocument, given: [String: (ParamValue, SourceLocation?)],
                     includedAt: SourceLocation?, isRoot: Bool) -> [String: ParamValue] {
        var env: [String: ParamValue] = [:]
        let specs = Dictionary(doc.params.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let directory = PathResolution.directory(of: doc.file)
        for (name, (value, loc)) in given.sorted(by: { $0.key < $1.key }) {
            // A `--set` value has no place in a file; its error points at what it tried to set.
            let at = loc ?? GraphExpander.overrideLocation(name, in: doc)
            guard let decl = specs[name] else {
                let what = isRoot ? "--set \(name): the graph has no param '\(name)'" : "the included graph has no param '\(name)'"
                diagnostics.append(.error(what + Suggestion.didYouMean(name, specs.keys.sorted()), at: at))
                continue
            }
            do {
                // A value is relative to the file it is written in; `--set` values to the root graph's file.
                let writtenIn = loc.map { PathResolution.directory(of: $0.file) } ?? directory
                env[name] = PathResolution.resolve(try decl.spec.coerce(value), type: decl.spec.type, against: writtenIn)
            } catch {
                let what = isRoot ? "bad --set \(name)=\(value): \(error.message)" : "param '\(name)': \(error.message)"
                diagnostics.append(.error(what, at: at))
                // Keep checking with the default rather than reporting every use of the param too.
                if let d = decl.spec.defaultValue { env[name] = PathResolution.resolve(d, type: decl.spec.type, against: directory) }
            }
        }
        for decl in doc.params where env[decl.name] == nil && given[decl.name] == nil {
            if let d = decl.spec.defaultValue { env[decl.name] = PathResolution.resolve(d, type: decl.spec.type, against: directory) }
            else {
                let how = isRoot ? "give it with --set \(decl.name)=VALUE" : "set it in the include's params"
                diagnostics.append(.error("param '\(decl.name)' has no default and no value; \(how)", at: includedAt ?? decl.location))
            }
        }
        return env
    }

    /// Where a `--set NAME` is reported: the param's declaration, which shows its type and range; for a
    /// name the graph does not declare, its first param (the list to choose from), or its first line.
    static func overrideLocation(_ name: String, in doc: GraphDocument) -> SourceLocation {
        doc.params.first { $0.name == name }?.location ?? doc.params.first?.location
            ?? SourceLocation(file: doc.file, line: 1, column: 1)
    }
}

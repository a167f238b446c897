import FlowKit

/// `rank: N` on a node or an include: which MPI rank runs it. Which host a rank runs on is mpirun's
/// business (its hostfile), so the graph names ranks only.
extension GraphExpander {
    /// The largest rank a graph may name; far beyond any real job, small enough to catch a typo.
    static let maxRank = 4095

    /// The declaration's rank after `${param}` substitution, or nil when it names none (or a bad one,
    /// which is reported here).
    func rank(of decl: NodeDeclaration, in scope: FileScope) -> (value: Int, location: SourceLocation)? {
        guard let written = decl.rank else { return nil }
        guard let value = scope.substitution.value(written, diagnostics: &diagnostics) else { return nil }
        guard case .int(let n) = value, (0...GraphExpander.maxRank).contains(n) else {
            diagnostics.append(.error("rank must be a whole number from 0 to \(GraphExpander.maxRank) (the MPI rank that runs the node), found '\(value)'",
                                      at: written.location))
            return nil
        }
        return (n, written.location)
    }
}

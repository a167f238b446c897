/// One fuzz case: a mutated graph file (or a graph whose included subgraph is mutated) and `--set`
/// arguments, all drawn from a generator seeded by the run's seed and the case number.
struct FuzzCase: Sendable {
    var index: Int
    var seedName: String
    var mutations: [String]
    var rootBytes: [UInt8]
    var include: (path: String, bytes: [UInt8])?
    var overrides: [String]

    func describe() -> String {
        var lines = ["case \(index) from \(seedName): \(mutations.joined(separator: ", "))"]
        if let include { lines.append("mutated subgraph: \(include.path)") }
        lines += overrides.map { "--set " + $0.debugDescription }
        return lines.joined(separator: "\n") + "\n"
    }

    static func make(_ index: Int, from workspace: FuzzWorkspace, _ rng: inout SplitMix64) -> FuzzCase {
        // Half the cases start from a shipped graph, which compiles, so mutations reach the later checks.
        var root = rng.oneIn(2) ? rng.pick(Array(workspace.seeds.prefix(workspace.shippedCount))) : rng.pick(workspace.seeds)
        var c = FuzzCase(index: index, seedName: root.name, mutations: [], rootBytes: root.bytes, include: nil, overrides: [])
        let lib = workspace.includes.isEmpty ? nil : rng.pick(workspace.includes)
        if let lib, !lib.includers.isEmpty, rng.oneIn(8) {
            root = rng.pick(lib.includers)
            c.seedName = "\(root.name) including a mutated \(lib.path)"
            c.rootBytes = root.bytes
            c.include = (lib.path, mutated(lib.seed, &c.mutations, &rng))
        } else if !rng.oneIn(5) {
            c.rootBytes = mutated(root, &c.mutations, &rng)
        }
        if c.mutations.isEmpty || rng.oneIn(3) {
            c.overrides = (0..<(1 + rng.below(3))).map { _ in HostileValues.override(params: root.params, &rng) }
        }
        return c
    }

    /// A few structure mutations (when the seed parses) or byte mutations.
    static func mutated(_ seed: FuzzWorkspace.Seed, _ log: inout [String], _ rng: inout SplitMix64) -> [UInt8] {
        if let tree = seed.tree, rng.oneIn(2) {
            var t = tree
            for _ in 0...(rng.oneIn(3) ? rng.below(3) : 0) { t = TreeMutator.mutate(t, &rng) }
            log.append("structure")
            var bytes = Array(FuzzTreeWriter.yaml(t).utf8)
            if rng.oneIn(4) { ByteMutator.mutate(&bytes, &rng); log.append("bytes") }
            return bytes
        }
        var bytes = seed.bytes
        for _ in 0...(rng.oneIn(3) ? rng.below(4) : 0) { ByteMutator.mutate(&bytes, &rng) }
        log.append("bytes")
        return bytes
    }
}

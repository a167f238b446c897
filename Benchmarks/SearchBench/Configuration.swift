import Foundation

/// One thing to measure: a graph file of Graphs/ and the params that differ from its defaults.
struct Configuration {
    let label: String
    let graphFile: String            // under Graphs/
    let overrides: [String]

    static let baseline = Configuration(label: "longlive (target alone)", graphFile: "longlive.yaml", overrides: [])

    static func speculative(tau: Double) -> Configuration {
        let name = tau == 0 ? "speculative tau 0 (ceiling)" : String(format: "speculative tau %.2f", tau)
        return Configuration(label: name, graphFile: "speculative.yaml", overrides: ["tau=\(tau)"])
    }

    static func search(candidates: Int, beams: Int) -> Configuration {
        Configuration(label: "best-of-n N=\(candidates) B=\(beams)", graphFile: "best-of-n.yaml",
                      overrides: ["candidates=\(candidates)", "beams=\(beams)"])
    }

    /// Each graph file and the include output that carries its video frames.
    static let framesOutputs = ["longlive.yaml": "gen.frames", "speculative.yaml": "spec.frames", "best-of-n.yaml": "search.frames"]

    /// The baseline first: every ratio is against it.
    static func all(taus: [Double]) -> [Configuration] {
        [baseline] + ([0] + taus).map(speculative(tau:))
            + [2, 4, 8].map { search(candidates: $0, beams: 1) } + [search(candidates: 2, beams: 2)]
    }
}

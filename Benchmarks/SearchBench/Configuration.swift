import Foundation

/// One thing to measure: a graph file of Graphs/ and the params that differ from its defaults.
struct Configuration {
    let label: String
    let graphFile: String            // under Graphs/, or a variant BenchGraphs writes (`variants`)
    let overrides: [String]

    static func baseline(precision: String) -> Configuration {
        Configuration(label: precision == "f32" ? "longlive (target alone)" : "longlive \(precision)", graphFile: "longlive.yaml",
                      overrides: ["precision=\(precision)"])
    }

    /// The drafter's sampler when it is not the graph's default (four guided steps).
    struct Draft {
        let steps: [Int]
        let guidance: Double
        var label: String { "\(steps.count)-step" + (guidance == 1 ? " unguided" : guidance == 0 ? "" : String(format: " g%.1f", guidance)) }
        var overrides: [String] { ["draft_steps=[\(steps.map(String.init).joined(separator: ", "))]", "draft_guidance=\(guidance)"] }
    }

    /// `decodeTwice`: the graph as it was before vae.speculative_decoder (lib/speculative-video-decode-twice.yaml).
    static func speculative(tau: Double, precision: String, decodeTwice: Bool = false, draft: Draft? = nil) -> Configuration {
        var name = decodeTwice ? "spec twice" : "spec once"
        if let draft { name += " " + draft.label }
        if precision != "f32" { name += " " + precision }
        name += tau == 0 ? " tau 0 (ceiling)" : String(format: " tau %.2f", tau)
        return Configuration(label: name, graphFile: decodeTwice ? "speculative-decode-twice.yaml" : "speculative.yaml",
                             overrides: ["tau=\(tau)", "precision=\(precision)"] + (draft?.overrides ?? []))
    }

    static func search(candidates: Int, beams: Int) -> Configuration {
        Configuration(label: "best-of-n N=\(candidates) B=\(beams)", graphFile: "best-of-n.yaml",
                      overrides: ["candidates=\(candidates)", "beams=\(beams)"])
    }

    /// Each graph file and the include output that carries its video frames.
    static let framesOutputs = ["longlive.yaml": "gen.frames", "speculative.yaml": "spec.frames", "best-of-n.yaml": "search.frames",
                                "speculative-decode-twice.yaml": "spec.frames"]
    /// Graph files the benchmark writes: a shipped graph with one include swapped.
    static let variants = ["speculative-decode-twice.yaml": (from: "speculative.yaml",
                                                             replacing: "lib/speculative-video.yaml", with: "lib/speculative-video-decode-twice.yaml")]

    /// The f32 baseline first: every ratio is against it. Then, per precision, the target alone and speculative
    /// decoding at each tau (at f32 also as it was, decoding every block twice), then the search.
    static func all(taus: [Double], precisions: [String], search: Bool, fastDraft: Draft? = nil) -> [Configuration] {
        var list = [baseline(precision: "f32")]
        for precision in precisions {
            if precision != "f32" { list.append(baseline(precision: precision)) }
            if precision == "f32" { list += ([0] + taus).map { speculative(tau: $0, precision: precision, decodeTwice: true) } }
            list += ([0] + taus).map { speculative(tau: $0, precision: precision) }
            if let fastDraft { list += ([0] + taus).map { speculative(tau: $0, precision: precision, draft: fastDraft) } }
        }
        if search { list += [2, 4, 8].map { Self.search(candidates: $0, beams: 1) } + [Self.search(candidates: 2, beams: 2)] }
        return list
    }
}

import FlowKit

/// The denoiser's side of a best-of-N search with beams (Stream-T1): per block, `perBeam` candidates
/// for each beam the cache manager sent back, generated in one batched model call. A candidate's
/// initial noise leans on its parent's: `share * parent + sqrt(1 - share^2) * fresh`, so candidates
/// explore around the noise that won the previous block; the re-noising draws are fresh.
struct BlockSearch {
    let perBeam: Int
    let maxBeams: Int
    let noiseShare: Float
    /// KVPO-style branches (`branching: kv-routing`): candidates share noise and route the history; nil: noise branches.
    let routing: KVRouting?
    /// Contexts received for the next block, one per beam.
    private(set) var contexts: [KVContext] = []
    /// Initial noise of the previous block's candidates, by candidate id (their children lean on it).
    private var initialNoise: [Int: Tensor] = [:]

    init(perBeam: Int, maxBeams: Int, noiseShare: Float, routing: KVRouting? = nil) {
        self.perBeam = perBeam
        self.maxBeams = maxBeams
        self.noiseShare = noiseShare
        self.routing = routing
    }

    mutating func receive(_ context: KVContext, block: Int) throws {
        guard context.block == block else {
            throw NodeError("search: a context for block \(context.block) arrived while block \(block) waits for its beams")
        }
        if context.beam == nil && block > 0 {
            throw NodeError("search: block \(block)'s context carries no beam; connect cache.manager's `choice` input to the selection node")
        }
        contexts.append(context)
    }

    /// Whether every beam's context has arrived.
    var ready: Bool { contexts.first.map { contexts.count >= $0.beamCount } ?? false }

    /// All beams' contexts (ordered by beam id, so runs are reproducible); call when `ready`.
    mutating func takeContexts() -> [KVContext] {
        defer { contexts.removeAll() }
        return contexts.sorted { ($0.beam?.id ?? -1) < ($1.beam?.id ?? -1) }
    }

    /// The tags and noise draws of the block's candidates: beam after beam, `perBeam` each. Candidate 0
    /// uses the draws a plain run uses, so one candidate of one beam without sharing is the plain run.
    mutating func candidates(block: Int, beams: [KVContext], draws: Int, shape: [Int], noise: SeededNoise)
        -> [(tag: Candidate, noises: [Tensor], context: KVContext)] {
        let count = beams.count * perBeam
        var result: [(tag: Candidate, noises: [Tensor], context: KVContext)] = []
        var nextNoise: [Int: Tensor] = [:]
        for (b, context) in beams.enumerated() {
            for n in 0..<perBeam {
                let index = b * perBeam + n
                let tag = Candidate(block: block, index: index, count: count, parent: context.beam?.id)
                // Draw streams of different candidates never overlap: draws < 64 per candidate. Routed
                // branches all take their beam's first candidate's draws: the history is what differs.
                let stream = routing == nil ? index : b * perBeam
                var noises = (0..<draws).map { noise.tensor(shape: shape, block: block, draw: stream * 64 + $0) }
                if noiseShare > 0, let parent = context.beam, let parentNoise = initialNoise[parent.id] {
                    noises[0] = BlockSampler.mix(parentNoise, noiseShare, noises[0], (1 - noiseShare * noiseShare).squareRoot())
                }
                nextNoise[tag.id] = noises[0]
                result.append((tag, noises, context))
            }
        }
        initialNoise = nextNoise
        return result
    }
}

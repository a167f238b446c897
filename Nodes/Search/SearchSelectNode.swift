import FlowKit

/// `search.select`: the decision of a best-of-N search with beams (Stream-T1). For each block it waits
/// for every candidate's frames and reward, ranks them by `SelectionScore`, keeps the best `beams`, and
/// sends that choice to cache.manager (which keeps their K/V and sends the beams' contexts back to the
/// denoiser over the loop's feedback edge). Frames leave, untagged and in order, once final (`Lineage`).
public final class SearchSelectNode: Node, ReportsPendingWork {
    public static let contract = NodeContract(
        type: "search.select",
        summary: "Best-of-N / beam search over candidate blocks: ranks them by reward, keeps the best beams, outputs the chosen history",
        inputs: [
            .input("frames", FrameBatch.self, doc: "every candidate's decoded frames, tagged (vae.decoder on denoiser.block's latents)"),
            .input("scores", RewardScores.self, doc: "every candidate's reward, tagged (reward.scorer or reward.verifier on those frames)"),
        ],
        outputs: [
            .output("choice", BeamChoice.self, doc: "the kept candidates of each block, best first (to cache.manager's `choice`)"),
            .output("frames", FrameBatch.self, doc: "the chosen history's frames, untagged, block after block (to the video encoder)"),
        ],
        params: [
            ParamSpec("beams", .int, default: .int(1), range: 1...64, doc: "candidates kept per block (set denoiser.block's beams the same)"),
            ParamSpec("block_weight", .float, default: .float(0.5), range: 0...1,
                      doc: "selection score = w * the block's mean reward + (1 - w) * the mean over the candidate's last `history` blocks"),
            ParamSpec("history", .int, default: .int(10), range: 1...10_000, doc: "blocks of a candidate's history in its video score (Stream-T1: 10 chunks)"),
        ])

    private let beams: Int
    private let score: SelectionScore
    private var lineage = Lineage()
    /// The block being decided: its candidates' frames and rewards as they arrive.
    private var frames: [Int: FrameBatch] = [:]
    private var rewards: [Int: Float] = [:]
    private var expected: (block: Int, count: Int)?
    private var closed: Set<String> = []
    private var stats = SearchStats()

    public init(context: NodeContext) throws {
        beams = context.params.int("beams")
        score = SelectionScore(blockWeight: Float(context.params.double("block_weight")), history: context.params.int("history"))
    }

    public func process(_ packet: Packet, port: String, _ io: NodeIO) throws {
        let tag: Candidate
        switch port {
        case "frames":
            let batch = try packet.value(as: FrameBatch.self)
            guard let t = batch.candidate else { throw NodeError("block \(packet.position): frames without a candidate tag; search.select takes a search's candidates") }
            tag = t
            frames[t.id] = batch
        default:
            let scores = try packet.value(as: RewardScores.self)
            guard let t = scores.candidate else { throw NodeError("block \(packet.position): a reward without a candidate tag; search.select takes a search's candidates") }
            guard let mean = scores.meanProbability else {
                throw NodeError("\(t): its reward covers no frame window; a candidate block must hold at least one (\(scores.windowFrames) frames)")
            }
            tag = t
            rewards[t.id] = mean
        }
        if let e = expected, e.block != tag.block {
            throw NodeError("\(tag) arrived while block \(e.block) is still being decided")
        }
        expected = (tag.block, tag.count)
        try decideIfComplete(io)
    }

    private func decideIfComplete(_ io: NodeIO) throws {
        guard let e = expected, frames.count == e.count, rewards.count == e.count else { return }
        var ranked: [(entry: Lineage.Entry, score: Float)] = []
        for (id, batch) in frames {
            guard let tag = batch.candidate, let reward = rewards[id] else { throw NodeError("candidate \(id) of block \(e.block) has frames but no reward") }
            let parentHistory = tag.parent.flatMap { lineage.entry($0)?.history } ?? []
            let entry = Lineage.Entry(tag: tag, frames: batch, history: parentHistory + [reward])
            ranked.append((entry, score(entry.history)))
        }
        ranked.sort { $0.score != $1.score ? $0.score > $1.score : $0.entry.tag.index < $1.entry.tag.index }
        let kept = Array(ranked.prefix(beams))
        stats.record(block: e.block, rewards: ranked.map { $0.entry.history.last! }, chosen: kept[0].entry.history.last!,
                     firstCandidate: ranked.first { $0.entry.tag.index == 0 }!.entry.history.last!)
        frames.removeAll()
        rewards.removeAll()
        expected = nil
        try io.emit("choice", Packet(position: e.block, payload: BeamChoice(block: e.block, kept: kept.map(\.entry.tag), scores: kept.map(\.score))))
        try emitFinal(lineage.keep(kept.map(\.entry)), io)
    }

    private func emitFinal(_ batches: [FrameBatch], _ io: NodeIO) throws {
        for var batch in batches {
            let block = batch.candidate?.block ?? 0
            batch.candidate = nil
            try io.emit("frames", Packet(position: block, payload: batch))
        }
    }

    public func inputClosed(_ port: String, _ io: NodeIO) throws {
        closed.insert(port)
        if closed.count == 2 { try emitFinal(lineage.finishBest(), io) }
    }

    public var pendingWork: [String] {
        guard let e = expected else { return [] }
        return ["block \(e.block): \(frames.count) of \(e.count) candidates' frames and \(rewards.count) rewards arrived; never decided"]
    }

    public func finish(_ io: NodeIO) throws {
        io.log(stats.summary(beams: beams))
    }
}

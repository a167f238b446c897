import Foundation
import FlowKit

/// What a denoiser does in speculative block decoding (SDVG): the drafter writes each block, a gate
/// scores it, and the target either keeps it (one t = 0 pass writes the target's K/V from the drafted
/// latents) or generates the block itself. Both caches hold the kept history: the drafter takes the
/// target's output block back (`final`, a feedback edge) and writes its own K/V for it.
enum SpeculativeRole: String, Sendable {
    case generate, draft, verify
}

/// The per-node state of a role.
struct SpeculationState {
    /// Drafter: the block drafted last, waiting for the target's final block.
    var draft: (block: Int, out: LatentBlock, frames: [KVFrame], visible: AttentionPrefix, text: TextContext)?
    var draftsKept = 0
    var draftsReplaced = 0
    /// Target: verdicts by block, and the compute time of kept and generated blocks.
    var verdicts: [Int: DraftVerdict] = [:]
    /// Target: every block's verdict in order, with the reward it was made on (what runs compare).
    var decisions: [(block: Int, accepted: Bool, reward: Float?)] = []
    var keptSeconds: [Double] = []
    var generatedSeconds: [Double] = []

    func summary(role: SpeculativeRole) -> String? {
        func ms(_ s: [Double]) -> String { s.isEmpty ? "-" : String(format: "%.1f ms", 1000 * s.reduce(0, +) / Double(s.count)) }
        switch role {
        case .generate: return nil
        case .draft:
            return "speculative draft: \(draftsKept) drafted block(s) kept by the target, \(draftsReplaced) replaced (their K/V recomputed from the target's block)"
        case .verify:
            let total = keptSeconds.count + generatedSeconds.count
            let rate = total == 0 ? 0 : 100 * Double(keptSeconds.count) / Double(total)
            var line = String(format: "speculative target: %d of %d block(s) kept from the drafter (%.1f%%), a kept block %@, a generated one %@",
                              keptSeconds.count, total, rate, ms(keptSeconds), ms(generatedSeconds))
            // The target's own saving, from this run's times: what generating every block would have cost it over
            // what it spent. The drafter, the decoder and the reward are other nodes (their time is in --stats).
            if !generatedSeconds.isEmpty, total > 0 {
                let generated = generatedSeconds.reduce(0, +) / Double(generatedSeconds.count)
                let spent = (keptSeconds.reduce(0, +) + generatedSeconds.reduce(0, +)) / Double(total)
                line += String(format: "; the target's compute %.2fx less than generating every block (drafting, decoding and scoring not counted: --stats)",
                               generated / spent)
            }
            return line
        }
    }
}

extension DenoiserBlockNode {
    /// Target: the drafted block is kept; its K/V come from one t = 0 pass over the drafted latents.
    func keepDraft(_ verdict: DraftVerdict, text: (conditioning: Conditioning, context: TextContext), visible: AttentionPrefix,
                   started: Date, _ io: NodeIO) throws {
        let draft = verdict.draft
        guard draft.firstLatentFrame == block * sampler.blockFrames, draft.frameCount == sampler.blockFrames else {
            throw NodeError("block \(block): the drafted block starts at latent frame \(draft.firstLatentFrame) with \(draft.frameCount) frames; expected \(block * sampler.blockFrames) and \(sampler.blockFrames)")
        }
        let x0 = sampler.model.config.latentNormalization.normalize(draft.latents)
        let frames = sampler.cleanPass(block: block, x0: x0, text: text.context, visible: visible)
        try io.emit("kv", Packet(position: block, payload: KVUpdate(kind: .append, frames: frames, block: block, blockFrames: sampler.blockFrames)))
        // The drafted LatentBlock itself goes on, so the drafter recognises its block bit for bit.
        try io.emit("latents", Packet(position: block, payload: draft))
        let seconds = Date().timeIntervalSince(started)
        speculation.keptSeconds.append(seconds)
        finishBlock(seconds: seconds, io)
    }

    /// Drafter: the target's block `position` is final. The drafter's cache takes the draft's own K/V
    /// when the target kept it, else the K/V of a t = 0 pass over the target's block.
    func commitDraft(final: LatentBlock, position: Int, _ io: NodeIO) throws {
        guard let draft = speculation.draft, draft.block == position else {
            throw NodeError("the target's block \(position) arrived, but the drafter's open block is \(speculation.draft.map { String($0.block) } ?? "none")")
        }
        speculation.draft = nil
        let frames: [KVFrame]
        if final.latents.toArray() == draft.out.latents.toArray() {
            speculation.draftsKept += 1
            frames = draft.frames
        } else {
            speculation.draftsReplaced += 1
            let x0 = sampler.model.config.latentNormalization.normalize(final.latents)
            frames = sampler.cleanPass(block: position, x0: x0, text: draft.text, visible: draft.visible)
        }
        // After the last block nothing reads the drafter's cache (and its streams have ended).
        guard position + 1 < totalBlocks else { return }
        try io.emit("kv", Packet(position: position, payload: KVUpdate(kind: .append, frames: frames, block: position,
                                                                      blockFrames: sampler.blockFrames)))
    }
}

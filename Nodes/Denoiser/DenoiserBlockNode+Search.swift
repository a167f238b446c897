import Foundation
import FlowKit

extension DenoiserBlockNode {
    /// A search block: every beam's candidates in one batched call, each candidate's latents and K/V
    /// sent tagged; search.select and cache.manager decide which live on.
    func advanceSearch(_ io: NodeIO) throws {
        guard block < totalBlocks, search?.ready == true, let next = try promptForBlock() else { return }
        let contexts = search!.takeContexts()
        let started = Date()
        var beams = contexts
        // A typed switch does not flush here: the selection waits for every candidate it was promised.
        if try switchPrompt(to: next, io) {
            for (b, ctx) in beams.enumerated() where ctx.recacheOnSwitch && !ctx.window.isEmpty {
                beams[b].window = try recache(ctx, under: next, io)
            }
        }
        let planned = search!.candidates(block: block, beams: beams, draws: sampler.schedule.sigmas.count,
                                         shape: sampler.blockShape, noise: noise)
        let results = sampler.generate(block: block, candidates: planned.map { .init(noises: $0.noises, visible: AttentionPrefix($0.context)) },
                                       text: next.context)
        let computeSeconds = Date().timeIntervalSince(started)
        // K/V first: the cache manager must hold every candidate before the choice (made downstream of
        // the latents) can reach it.
        for (candidate, result) in zip(planned, results) {
            try io.emit("kv", Packet(position: block, payload: KVUpdate(kind: .append, frames: result.frames, block: block,
                                                                       blockFrames: sampler.blockFrames, candidate: candidate.tag)))
        }
        for (candidate, result) in zip(planned, results) {
            let latents = sampler.model.config.latentNormalization.denormalize(result.x0)
            try io.emit("latents", Packet(position: block, payload: LatentBlock(latents: latents, firstLatentFrame: block * sampler.blockFrames,
                                                                                 promptGeneration: next.conditioning.generation,
                                                                                 candidate: candidate.tag)))
        }
        finishBlock(seconds: computeSeconds, io)
    }
}

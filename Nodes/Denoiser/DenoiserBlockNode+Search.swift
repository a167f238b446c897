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
        let visible = planned.map { c in
            search!.routing.map { $0.route(AttentionPrefix(c.context), block: block, candidate: c.tag.index) } ?? AttentionPrefix(c.context)
        }
        let trace = recordsTrajectories ? SamplerTrace() : nil
        let results = sampler.generate(block: block, candidates: zip(planned, visible).map { .init(noises: $0.noises, visible: $1) },
                                       text: next.context, trace: trace)
        let computeSeconds = Date().timeIntervalSince(started)
        // K/V first: the cache manager must hold every candidate before the choice (made downstream of
        // the latents) can reach it.
        for (candidate, result) in zip(planned, results) {
            try io.emit("kv", Packet(position: block, payload: KVUpdate(kind: .append, frames: result.frames, block: block,
                                                                       blockFrames: sampler.blockFrames, candidate: candidate.tag)))
        }
        if let trace {
            for (c, candidate) in planned.enumerated() {
                let path = trace.candidate(c, of: planned.count, blockFrames: sampler.blockFrames)
                try io.emit("trajectory", Packet(position: block, payload: SamplerTrajectory(
                    block: block, candidate: candidate.tag, sigmas: sampler.schedule.sigmas, states: path.states, predictions: path.predictions,
                    visiblePositions: visible[c].frames.map(\.position), guidance: sampler.guidance?.scale ?? 1,
                    promptGeneration: next.conditioning.generation, seed: seed, weights: weightsName)))
            }
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

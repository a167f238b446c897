import FlowKit

/// How a video-to-video block starts (StreamDiffusionV2): the input latents, normalised, are mixed
/// with seeded noise to the block's start timestep, x = (1 - s0) z + s0 n, and denoised by the
/// schedule's steps below that timestep instead of the whole schedule from pure noise.
struct VideoToVideoStart {
    /// The block's sampler with the schedule entered at the start timestep.
    let sampler: BlockSampler
    /// Normalised input latents [F, C, H, W].
    let latents: Tensor
    let block: Int

    init(_ source: LatentBlock, block: Int, sampler full: BlockSampler) throws {
        guard let start = source.startTimestep else {
            throw NodeError("source block \(block) has no start timestep; put a noise.controller before the denoiser")
        }
        guard start > 0, start <= 1000 else { throw NodeError("source block \(block): start timestep \(start) is outside (0, 1000]") }
        guard source.latents.shape == full.blockShape else {
            throw NodeError("source block \(block): latents \(source.latents.shape), expected \(full.blockShape)")
        }
        sampler = BlockSampler(model: full.model, schedule: full.schedule.starting(at: start), blockFrames: full.blockFrames,
                               guidance: full.guidance, positionMode: full.positionMode)
        latents = full.model.config.latentNormalization.normalize(source.latents.contiguous())
        self.block = block
    }

    /// The noise tensors `generate` wants: the re-noised input first, then one draw per re-noising.
    /// Draw d is the same seeded draw text-to-video uses, so a seed fixes the run.
    func noises(_ noise: SeededNoise) -> [Tensor] {
        noises(draws: (0..<sampler.schedule.sigmas.count).map { noise.tensor(shape: sampler.blockShape, block: block, draw: $0) })
    }

    /// The same from given standard-normal draws, one per step.
    func noises(draws: [Tensor]) -> [Tensor] {
        let s0 = sampler.schedule.sigmas[0]
        return [BlockSampler.mix(latents, 1 - s0, draws[0], s0)] + draws.dropFirst()
    }
}

/// One block of generated latents as it travels from the denoiser to the VAE decoder.
/// Port type `latent[f32; F, C, H, W]`; the packet position is the block index.
public struct LatentBlock: Sendable {
    /// Latents in the VAE's space (de-normalised), `[F, C, H, W]`.
    public var latents: Tensor
    /// Absolute index of the block's first latent frame in the stream.
    public var firstLatentFrame: Int
    /// Generation of the prompt the block was generated under (see `Prompt.generation`).
    public var promptGeneration: Int

    public init(latents: Tensor, firstLatentFrame: Int, promptGeneration: Int) {
        precondition(latents.rank == 4, "LatentBlock wants [F, C, H, W], got \(latents.shape)")
        self.latents = latents
        self.firstLatentFrame = firstLatentFrame
        self.promptGeneration = promptGeneration
    }

    public var frameCount: Int { latents.shape[0] }
}

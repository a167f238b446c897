/// One block of generated latents as it travels from the denoiser to the VAE decoder.
/// Port type `latent[f32; F, C, H, W]`; the packet position is the block index.
public struct LatentBlock: PortPayload {
    public static var portType: PortType { "latent[f32; F, C, H, W]" }

    /// Latents in the VAE's space (de-normalised), `[F, C, H, W]`.
    public var latents: Tensor
    /// Absolute index of the block's first latent frame in the stream.
    public var firstLatentFrame: Int
    /// Generation of the prompt the block was generated under (see `Prompt.generation`).
    public var promptGeneration: Int
    /// Video-to-video: the timestep (in the schedule's 0...1000 step units) the denoiser re-noises
    /// these latents to before denoising them; nil for generated blocks.
    public var startTimestep: Double?
    /// The search candidate these latents are (best-of-N, speculative draft); nil in a plain stream.
    public var candidate: Candidate?

    public init(latents: Tensor, firstLatentFrame: Int, promptGeneration: Int, startTimestep: Double? = nil, candidate: Candidate? = nil) {
        precondition(latents.rank == 4, "LatentBlock wants [F, C, H, W], got \(latents.shape)")
        self.latents = latents
        self.firstLatentFrame = firstLatentFrame
        self.promptGeneration = promptGeneration
        self.startTimestep = startTimestep
        self.candidate = candidate
    }

    public var frameCount: Int { latents.shape[0] }
}

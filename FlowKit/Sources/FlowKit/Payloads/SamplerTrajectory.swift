/// One block's path through the few-step sampler: the state fed to every step and the clean latents
/// that step predicted, in normalised latent space. Between steps the sampler re-noises the prediction,
/// `x[i+1] = (1 - sigma[i+1]) * x0[i] + sigma[i+1] * noise`, a Gaussian transition whose log-probability
/// under the model is exact; GRPO training (rollout.writer, Training/grpo.py) needs exactly these.
/// It lives in FlowKit because the denoiser family produces it and the rollout family records it.
/// Port type `sampler_trajectory`.
public struct SamplerTrajectory: PortPayload {
    public static var portType: PortType { "sampler_trajectory" }

    /// Block index (stream position) the trajectory generated.
    public var block: Int
    /// The search candidate it belongs to; nil in a plain stream.
    public var candidate: Candidate?
    /// Noise level of each step, first (1 for text-to-video) to last.
    public var sigmas: [Float]
    /// `states[i]`: x fed to step i, `[F, C, H, W]`; `states[0]` is the initial noise.
    public var states: [Tensor]
    /// `predictions[i]`: x0 = x - sigma * v at step i (guidance applied); the last one is the block.
    public var predictions: [Tensor]
    /// Latent frame positions of the K/V the block attended, in the model's [sink | memory | window] order.
    public var visiblePositions: [Int]
    /// The classifier-free guidance scale the velocities used (1: none).
    public var guidance: Float
    /// The generation of the prompt the block was generated under (`TextEmbedding.generation`).
    public var promptGeneration: Int
    /// The noise seed and the DiT (`denoiser` or `drafter`) that drew the trajectory.
    public var seed: Int
    public var weights: String

    public init(block: Int, candidate: Candidate?, sigmas: [Float], states: [Tensor], predictions: [Tensor],
                visiblePositions: [Int], guidance: Float, promptGeneration: Int, seed: Int, weights: String) {
        precondition(states.count == sigmas.count && predictions.count == sigmas.count,
                     "SamplerTrajectory: \(sigmas.count) steps, \(states.count) states, \(predictions.count) predictions")
        self.block = block
        self.candidate = candidate
        self.sigmas = sigmas
        self.states = states
        self.predictions = predictions
        self.visiblePositions = visiblePositions
        self.guidance = guidance
        self.promptGeneration = promptGeneration
        self.seed = seed
        self.weights = weights
    }
}

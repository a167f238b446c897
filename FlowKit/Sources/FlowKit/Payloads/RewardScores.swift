import Foundation

/// How well a run of frames matches the prompt they were made under, from a reward model (`reward.scorer`):
/// one score per window of `windowFrames` consecutive frames. It lives in FlowKit because the consumers
/// (best-of-N selection, speculative acceptance, a sink that logs quality) are other families.
/// Port type `reward_scores`.
public struct RewardScores: PortPayload {
    public static var portType: PortType { "reward_scores" }

    /// The scored frames are `firstFrame ..< firstFrame + frameCount` of the stream, window after window.
    /// With no window (a batch that completed none) `frameCount` is 0 and `firstFrame` is where the next
    /// window would start.
    public var firstFrame: Int
    public var frameCount: Int
    /// Frames per window (the reward model's `frames`).
    public var windowFrames: Int
    /// The generation of the prompt the frames were scored against (`TextEmbedding.generation`).
    public var promptGeneration: Int
    /// Per window: the model's logit, and its sigmoid, the calibrated P(frames match the prompt).
    public var logits: [Float]
    public var probabilities: [Float]
    /// Mean of `probabilities`: the block's score; nil when there is no window.
    public var meanProbability: Float?
    /// The search candidate whose frames were scored; nil in a plain stream.
    public var candidate: Candidate?

    public init(firstFrame: Int, windowFrames: Int, promptGeneration: Int, logits: [Float], candidate: Candidate? = nil) {
        self.firstFrame = firstFrame
        self.frameCount = logits.count * windowFrames
        self.windowFrames = windowFrames
        self.promptGeneration = promptGeneration
        self.logits = logits
        self.candidate = candidate
        // Computed here so every producer reports the same calibrated probability for a logit.
        probabilities = logits.map { Float(1 / (1 + exp(-Double($0)))) }
        meanProbability = logits.isEmpty ? nil : probabilities.reduce(0, +) / Float(probabilities.count)
    }

    /// The number of scored windows.
    public var windowCount: Int { logits.count }
}

/// Speculative decoding (SDVG): whether a drafted block is good enough to keep. The gate sends it to the
/// target denoiser, which writes its K/V from the drafted latents (accepted) or regenerates the block.
/// Port type `draft_verdict`.
public struct DraftVerdict: PortPayload {
    public static var portType: PortType { "draft_verdict" }

    /// The drafter's block (latents in the VAE's space; position = block index).
    public var draft: LatentBlock
    public var accepted: Bool
    /// The reward the decision was made on (the minimum over the block's frame windows); nil when the
    /// block was not scored (the first block, which the target always generates).
    public var reward: Float?
    /// The acceptance threshold in force.
    public var threshold: Float

    public init(draft: LatentBlock, accepted: Bool, reward: Float?, threshold: Float) {
        self.draft = draft
        self.accepted = accepted
        self.reward = reward
        self.threshold = threshold
    }
}

/// The self-attention keys and values of one latent frame, for every transformer layer, as the
/// denoiser's clean (t = 0) pass wrote them. Keys are stored after RoPE at the frame's absolute position.
public struct KVFrame: Sendable {
    /// Absolute latent-frame position.
    public var position: Int
    /// Per layer `[heads, tokens, headDim]`.
    public var keys: [Tensor]
    public var values: [Tensor]
    /// The clean normalised latent `[C, H, W]` the K/V came from: a re-cache recomputes K/V from it.
    public var latent: Tensor?
    /// Generation of the prompt the K/V were computed under.
    public var promptGeneration: Int

    public init(position: Int, keys: [Tensor], values: [Tensor], latent: Tensor?, promptGeneration: Int) {
        precondition(keys.count == values.count, "KVFrame: \(keys.count) key layers vs \(values.count) value layers")
        self.position = position
        self.keys = keys
        self.values = values
        self.latent = latent
        self.promptGeneration = promptGeneration
    }

    public var layers: Int { keys.count }
    /// Bytes of the f32 keys and values.
    public var f32Bytes: Int { (keys + values).reduce(0) { $0 + $1.count * 4 } }
}

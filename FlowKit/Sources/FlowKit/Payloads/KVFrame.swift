/// The self-attention keys and values of one latent frame, for every transformer layer, as the
/// denoiser's clean (t = 0) pass wrote them. Keys are stored after RoPE at the frame's absolute position
/// (`keysRotated`), or before RoPE in a position-free ("infinity") cache, where the denoiser rotates them by
/// the slot the frame takes in each call.
public struct KVFrame: Sendable {
    /// Absolute latent-frame position.
    public var position: Int
    /// Per layer `[heads, tokens, headDim]`. A frame the cache manager compressed (`compress: attention`) holds fewer
    /// tokens than the model makes per frame, the same count in every head (each head may keep different ones).
    public var keys: [Tensor]
    public var values: [Tensor]
    /// The clean normalised latent `[C, H, W]` the K/V came from: a re-cache recomputes K/V from it.
    public var latent: Tensor?
    /// Generation of the prompt the K/V were computed under.
    public var promptGeneration: Int
    /// true: keys carry RoPE at `position`; false: keys before RoPE (position-free cache).
    public var keysRotated: Bool

    public init(position: Int, keys: [Tensor], values: [Tensor], latent: Tensor?, promptGeneration: Int, keysRotated: Bool = true) {
        precondition(keys.count == values.count, "KVFrame: \(keys.count) key layers vs \(values.count) value layers")
        self.position = position
        self.keys = keys
        self.values = values
        self.latent = latent
        self.promptGeneration = promptGeneration
        self.keysRotated = keysRotated
    }

    public var layers: Int { keys.count }
    /// Bytes of the f32 keys and values.
    public var f32Bytes: Int { (keys + values).reduce(0) { $0 + $1.count * 4 } }
}

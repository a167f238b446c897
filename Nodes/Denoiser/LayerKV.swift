import FlowKit

/// One layer's self-attention keys and values, `[heads, tokens, headDim]` each (keys after RoPE).
struct LayerKV: Sendable {
    var keys: Tensor
    var values: Tensor
}

/// The cross-attention keys and values of one prompt for every layer: computed once per prompt,
/// since the text does not change between the calls of a block (LongLive caches them too).
struct TextContext: Sendable {
    let layers: [LayerKV]
    let generation: Int
    /// pooled_text models: the prompt's sentence-vector embedding [1, D], added to every frame's timestep
    /// embedding (a call's frames all share one prompt). nil for models without it.
    var pooled: Tensor? = nil
}

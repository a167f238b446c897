import FlowKit
import FlowTestSupport
@testable import DenoiserNodes

/// The rounding budget of the DiT forward pass (DiTModel.swift), for `Tolerance.network`.
extension DiTConfig {
    /// K along the path to one output of a call that attends to `keys` tokens and `textTokens` text
    /// states: patch embedding and the timestep MLP and modulation, then per layer the modulated norm,
    /// q/k/v (D + bias), RMS norms and scores (head dim), softmax's sum and weighted values (keys),
    /// the output projection, the cross-attention the same way over the text (whose K/V come through
    /// MiniLM-sized projections), and the MLP (D and mlp dim + bias); the final modulation and patch
    /// projection.
    func reductionLength(keys: Int, textTokens: Int) -> Double {
        let d = dim + 1
        let front = (patchDim + 1) + (freqDim + 1) + 2 * d
        let text = (textDim + 1) + d + d + headDim
        let selfAttention = dim + 3 * d + 2 * headDim + 2 * keys + d
        let crossAttention = dim + d + 2 * headDim + 2 * textTokens + d + text
        let mlp = dim + d + (mlpDim + 1)
        return Double(front + depth * (selfAttention + crossAttention + mlp) + dim + d)
    }

    /// The streaming loop's budget for block `block`: every forward call on its path so far (the
    /// steps of each block and the t = 0 pass whose K/V later blocks attend to) adds its own rounding,
    /// with each call attending to at most sink + window + block frames.
    func streamReductionLength(block: Int, calls: Int? = nil, textTokens: Int) -> Double {
        let s = sampler, keys = (s.sinkFrames + s.windowFrames + s.blockFrames) * tokensPerFrame
        let chain = calls ?? block * (s.steps.count + 1) + s.steps.count
        return Double(chain) * reductionLength(keys: keys, textTokens: textTokens)
    }

    /// Classifier-free guidance v_u + g·(v_c − v_u) weighs two calls' independent errors by 1 − g and
    /// g: their standard deviation grows by √(g² + (1 − g)²).
    static func guidanceGain(_ scale: Double) -> Double { (scale * scale + (1 - scale) * (1 - scale)).squareRoot() }
}

extension TextContext {
    /// Text states the cross-attention reads (K/V are [heads, tokens, head dim]).
    var tokens: Int { layers.first?.keys.shape[1] ?? 0 }
}

import FlowKit

/// world-tiny v2's second adaLN input (config.json `pooled_text`): the prompt's sentence vector, MiniLM's
/// mean-pooled L2-normalised embedding (`TextEmbedding.sentence`), through `pool_fc2(SiLU(pool_fc1(·)))` and
/// added to the timestep embedding of every frame the prompt applies to (MODEL_FORMAT.md §2.1 step 2).
struct PooledTextWeights: Sendable {
    let fc1, fc2: Linear
    /// The empty prompt's sentence vector [textDim], guidance's unconditional input next to `null_text`.
    /// Optional like `null_text`: a model without it can still run unguided.
    let nullSentence: Tensor?

    init(_ w: WeightFile, _ c: DiTConfig) throws {
        fc1 = try w.linear("pool_fc1", out: c.dim, in: c.textDim)
        fc2 = try w.linear("pool_fc2", out: c.dim, in: c.dim)
        nullSentence = w.file.contains("null_sentence") ? try w.tensor("null_sentence", [c.textDim]) : nil
    }

    /// A prompt's sentence vector -> its embedding [1, D]; computed once per prompt, like its text K/V.
    func embedding(_ sentence: Tensor, textDim: Int) throws -> Tensor {
        // A vector of another encoder (or the token states by mistake) would be silently misread.
        guard sentence.count == textDim, sentence.shape.filter({ $0 != 1 }).count <= 1 else {
            throw NodeError("the prompt's sentence vector has shape \(sentence.shape), but this denoiser (pooled_text) needs "
                            + "\(textDim) values: MiniLM's pooled sentence embedding (TextEmbedding.sentence)")
        }
        return fc2(Kernels.silu(fc1(sentence.contiguous().reshaped([1, textDim]))))
    }

    /// Weights of the pooled path in a file whose config.json does not turn it on: a broken export that
    /// would otherwise run as the model without it.
    static func checkAbsent(_ w: WeightFile) throws {
        for name in ["pool_fc1.weight", "pool_fc2.weight", "null_sentence"] where w.file.contains(name) {
            throw NodeError("\(w.file.path) has '\(name)' but config.json does not set pooled_text: true; re-export the model")
        }
    }
}

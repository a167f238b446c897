import FlowKit

/// The world-tiny reward model (Training/models.py `Reward`, numpy reference `reward_forward` in
/// Training/reference.py): logit = scale·⟨image(frames), text(prompt)⟩ + bias, both embeddings unit length,
/// so sigmoid(logit) is the calibrated P(frames match prompt).
struct RewardModel: Sendable {
    let config: RewardConfig
    let convs: [Conv2d]
    let imageHead: Linear
    let textIn: Linear
    let textOut: Linear
    let logitScale: Float
    let logitBias: Float

    init(folder: ModelFolder) throws {
        let config = try RewardConfig(folder: folder)
        self.config = config
        let w = try folder.weights(try folder.section("reward"), name: "reward")
        let ins = [3 * config.frames] + config.channels.dropLast()
        convs = try (0..<4).map { i in
            try Conv2d(w, "conv\(i + 1)", out: config.channels[i], in: ins[i], stride: 2)
        }
        func linear(_ name: String, out: Int, in inputs: Int) throws -> Linear {
            Linear(weight: try w.tensor(name + ".weight", [out, inputs]), bias: try w.tensor(name + ".bias", [out]))
        }
        imageHead = try linear("img_fc", out: config.dim, in: config.imageFeatures)
        textIn = try linear("txt_fc1", out: config.dim, in: config.textDim)
        textOut = try linear("txt_fc2", out: config.dim, in: config.dim)
        logitScale = try w.tensor("logit_scale", [1]).scalar
        logitBias = try w.tensor("logit_bias", [1]).scalar
    }

    /// Windows [N, frames, 3, H, W] (or already stacked [N, frames·3, H, W]) in [-1, 1] -> unit rows [N, dim].
    func imageEmbedding(_ windows: Tensor) -> Tensor {
        let n = windows.shape[0]
        // Frames stacked as channels: [N, F, 3, H, W] is already laid out as [N, F·3, H, W].
        var h = windows.contiguous().reshaped([n, 3 * config.frames, config.height, config.width])
        for conv in convs { h = Kernels.silu(conv(h)) }
        return unitRows(imageHead(h.reshaped([n, config.imageFeatures])), epsilon: config.normEpsilon)
    }

    /// One prompt's token states [T, textDim] -> unit vector [1, dim]. Every token counts in the mean, as
    /// the reference does for an unpadded prompt.
    func textEmbedding(_ tokenStates: Tensor) -> Tensor {
        let t = tokenStates.shape[0], d = config.textDim
        let pooled = tokenStates.contiguous().withUnsafeFloats { src in
            Tensor(shape: [1, d]) { out in
                for i in 0..<d {
                    var sum: Float = 0
                    for r in 0..<t { sum += src[r * d + i] }
                    out[i] = sum / Float(max(t, 1))
                }
            }
        }
        return unitRows(textOut(Kernels.gelu(textIn(pooled), approximation: config.gelu)), epsilon: config.normEpsilon)
    }

    /// Image rows [N, dim] against one text vector [1, dim] -> N logits.
    func logits(images: Tensor, text: Tensor) -> [Float] {
        let d = config.dim, n = images.shape[0]
        return images.contiguous().withUnsafeFloats { img in
            text.contiguous().withUnsafeFloats { txt in
                (0..<n).map { r in
                    var dot: Float = 0
                    for i in 0..<d { dot += img[r * d + i] * txt[i] }
                    return logitScale * dot + logitBias
                }
            }
        }
    }
}

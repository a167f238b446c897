import FlowKit

/// One transformer layer's weights (`blocks.{l}.`).
struct DiTLayer: Sendable {
    let ada, q, k, v, o: Linear
    let normQ, normK: Tensor
    let normCAWeight, normCABias: Tensor
    let caQ, caK, caV, caO: Linear
    let caNormQ, caNormK: Tensor
    let fc1, fc2: Linear

    init(_ w: WeightFile, layer l: Int, _ c: DiTConfig, precision: Precision) throws {
        let p = "blocks.\(l)."
        let d = c.dim
        let w = w.at(precision)
        ada = try w.linear(p + "ada", out: 6 * d, in: d)
        q = try w.linear(p + "q", out: d, in: d)
        k = try w.linear(p + "k", out: d, in: d)
        v = try w.linear(p + "v", out: d, in: d)
        o = try w.linear(p + "o", out: d, in: d)
        normQ = try w.tensor(p + "norm_q.weight", [d])
        normK = try w.tensor(p + "norm_k.weight", [d])
        normCAWeight = try w.tensor(p + "norm_ca.weight", [d])
        normCABias = try w.tensor(p + "norm_ca.bias", [d])
        caQ = try w.linear(p + "ca_q", out: d, in: d)
        caK = try w.linear(p + "ca_k", out: d, in: d)
        caV = try w.linear(p + "ca_v", out: d, in: d)
        caO = try w.linear(p + "ca_o", out: d, in: d)
        caNormQ = try w.tensor(p + "ca_norm_q.weight", [d])
        caNormK = try w.tensor(p + "ca_norm_k.weight", [d])
        fc1 = try w.linear(p + "fc1", out: c.mlpDim, in: d)
        fc2 = try w.linear(p + "fc2", out: d, in: c.mlpDim)
    }
}

/// Every weight of the DiT, widened to f32 once (the linear layers held in bf16 at `precision: .bf16`).
struct DiTWeights: Sendable {
    let patchIn, tFC1, tFC2, txtFC1, txtFC2, finalAda, patchOut: Linear
    let layers: [DiTLayer]
    /// MiniLM states of the empty prompt [L, textDim]: the unconditional input of classifier-free
    /// guidance (what the model saw when training dropped the prompt). Older exports lack it.
    let nullText: Tensor?
    /// The sentence-vector conditioning, when config.json sets `pooled_text`.
    let pooled: PooledTextWeights?

    init(_ file: WeightFile, _ c: DiTConfig, precision: Precision = .f32) throws {
        let d = c.dim
        let w = file.at(precision)
        patchIn = try w.linear("patch_in", out: d, in: c.patchDim)
        tFC1 = try w.linear("t_fc1", out: d, in: c.freqDim)
        tFC2 = try w.linear("t_fc2", out: d, in: d)
        txtFC1 = try w.linear("txt_fc1", out: d, in: c.textDim)
        txtFC2 = try w.linear("txt_fc2", out: d, in: d)
        finalAda = try w.linear("final_ada", out: 2 * d, in: d)
        patchOut = try w.linear("patch_out", out: c.patchDim, in: d)
        layers = try (0..<c.depth).map { try DiTLayer(file, layer: $0, c, precision: precision) }
        if file.file.contains("null_text") {
            let t = try file.file.floatTensor("null_text")
            guard t.rank == 2, t.shape[1] == c.textDim else {
                throw NodeError("\(file.file.path): tensor 'null_text' has shape \(t.shape), expected [L, \(c.textDim)]")
            }
            nullText = t.contiguous()
        } else {
            nullText = nil
        }
        if c.pooledText {
            pooled = try PooledTextWeights(file, c)
        } else {
            try PooledTextWeights.checkAbsent(file)
            pooled = nil
        }
    }
}

/// A weight file read at one precision: its linear layers come out in that precision.
struct PrecisionWeights {
    let file: WeightFile
    let precision: Precision

    func linear(_ name: String, out: Int, in inputs: Int) throws -> Linear {
        Linear(weight: try file.tensor(name + ".weight", [out, inputs]), bias: try file.tensor(name + ".bias", [out]),
               precision: precision)
    }

    func tensor(_ name: String, _ shape: [Int]) throws -> Tensor { try file.tensor(name, shape) }
}

extension WeightFile {
    func at(_ precision: Precision) -> PrecisionWeights { PrecisionWeights(file: self, precision: precision) }

    func linear(_ name: String, out: Int, in inputs: Int) throws -> Linear {
        Linear(weight: try tensor(name + ".weight", [out, inputs]), bias: try tensor(name + ".bias", [out]))
    }
}

import FlowKit

/// One transformer layer's weights, ready for the kernels.
struct EncoderLayerWeights: Sendable {
    /// Query, key and value projections fused into one [3·H, H] GEMM.
    let queryKeyValue: TransposedLinear
    let attentionOutput: TransposedLinear
    let attentionNorm: NormWeights
    let intermediate: TransposedLinear
    let output: TransposedLinear
    let outputNorm: NormWeights
}

struct NormWeights: Sendable {
    let weight: Tensor
    let bias: Tensor
}

/// All weights of the BERT encoder, memory-mapped from model.safetensors and checked against the
/// config, so a wrong or truncated file fails here with the tensor's name, not later with a crash.
struct MiniLMWeights: Sendable {
    let wordEmbeddings: Tensor
    let positionEmbeddings: Tensor
    let tokenTypeEmbeddings: Tensor
    let embeddingNorm: NormWeights
    let layers: [EncoderLayerWeights]

    init(file: SafetensorsFile, config c: MiniLMConfig) throws {
        func load(_ name: String, _ shape: [Int]) throws -> Tensor {
            guard file.contains(name) else {
                throw SafetensorsError(path: file.path, tensor: name,
                                       reason: "missing; this is not a BERT checkpoint matching config.json")
            }
            let t = try file.floatTensor(name)
            guard t.shape == shape else {
                throw SafetensorsError(path: file.path, tensor: name,
                                       reason: "has shape \(t.shape), config.json implies \(shape)")
            }
            return t
        }
        func norm(_ prefix: String) throws -> NormWeights {
            NormWeights(weight: try load(prefix + ".weight", [c.hiddenSize]), bias: try load(prefix + ".bias", [c.hiddenSize]))
        }
        func linear(_ prefix: String, out: Int, in inputs: Int) throws -> TransposedLinear {
            TransposedLinear(weight: try load(prefix + ".weight", [out, inputs]), bias: try load(prefix + ".bias", [out]))
        }
        let h = c.hiddenSize
        if file.contains("embeddings.word_embeddings.weight") {
            let rows = try file.tensor("embeddings.word_embeddings.weight").shape.first ?? 0
            if rows != c.vocabularySize {
                throw SafetensorsError(path: file.path, tensor: "embeddings.word_embeddings.weight",
                                       reason: "has \(rows) rows but config.json says vocab_size \(c.vocabularySize)")
            }
        }
        wordEmbeddings = try load("embeddings.word_embeddings.weight", [c.vocabularySize, h])
        positionEmbeddings = try load("embeddings.position_embeddings.weight", [c.maxPositions, h])
        tokenTypeEmbeddings = try load("embeddings.token_type_embeddings.weight", [c.typeVocabularySize, h])
        embeddingNorm = try norm("embeddings.LayerNorm")
        layers = try (0..<c.layers).map { i in
            let p = "encoder.layer.\(i)."
            let q = try load(p + "attention.self.query.weight", [h, h])
            let k = try load(p + "attention.self.key.weight", [h, h])
            let v = try load(p + "attention.self.value.weight", [h, h])
            let qb = try load(p + "attention.self.query.bias", [h])
            let kb = try load(p + "attention.self.key.bias", [h])
            let vb = try load(p + "attention.self.value.bias", [h])
            return EncoderLayerWeights(
                queryKeyValue: TransposedLinear(weight: Tensor.concatenate([q, k, v], dim: 0),
                                      bias: Tensor.concatenate([qb, kb, vb], dim: 0)),
                attentionOutput: try linear(p + "attention.output.dense", out: h, in: h),
                attentionNorm: try norm(p + "attention.output.LayerNorm"),
                intermediate: try linear(p + "intermediate.dense", out: c.intermediateSize, in: h),
                output: try linear(p + "output.dense", out: h, in: c.intermediateSize),
                outputNorm: try norm(p + "output.LayerNorm"))
        }
    }
}

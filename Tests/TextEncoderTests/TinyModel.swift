import Foundation
import FlowKit
@testable import TextEncoderNodes

/// A tiny random BERT (hidden 8, 2 heads, 1 layer) written as a model folder, so loading errors can
/// be provoked cheaply: each test breaks one thing and checks the message.
struct TinyModel {
    static let vocabulary = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "red", "circle", "blue", "##s", "!"]
    var hidden = 8
    var heads = 2
    var intermediate = 16
    var positions = 16
    var vocabularySize = vocabulary.count
    var vocabularyLines = vocabulary
    var fill: (Int) -> Float = { i in Float((i * 7919) % 200 - 100) / 400 }

    func tensors() -> [String: Tensor] {
        var counter = 0
        func t(_ shape: [Int]) -> Tensor {
            let n = shape.reduce(1, *)
            defer { counter += n }
            return Tensor(shape: shape, values: (0..<n).map { fill(counter + $0) })
        }
        let h = hidden
        var out: [String: Tensor] = [
            "embeddings.word_embeddings.weight": t([vocabularySize, h]),
            "embeddings.position_embeddings.weight": t([positions, h]),
            "embeddings.token_type_embeddings.weight": t([2, h]),
            "embeddings.LayerNorm.weight": Tensor(shape: [h], repeating: 1),
            "embeddings.LayerNorm.bias": t([h]),
        ]
        let p = "encoder.layer.0."
        for name in ["attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense"] {
            out[p + name + ".weight"] = t([h, h]); out[p + name + ".bias"] = t([h])
        }
        out[p + "intermediate.dense.weight"] = t([intermediate, h]); out[p + "intermediate.dense.bias"] = t([intermediate])
        out[p + "output.dense.weight"] = t([h, intermediate]); out[p + "output.dense.bias"] = t([h])
        for name in ["attention.output.LayerNorm", "output.LayerNorm"] {
            out[p + name + ".weight"] = Tensor(shape: [h], repeating: 1); out[p + name + ".bias"] = t([h])
        }
        return out
    }

    var configJSON: String {
        """
        {"model_type": "bert", "hidden_act": "gelu", "hidden_size": \(hidden), "num_attention_heads": \(heads),
         "num_hidden_layers": 1, "intermediate_size": \(intermediate), "max_position_embeddings": \(positions),
         "type_vocab_size": 2, "vocab_size": \(vocabularySize), "layer_norm_eps": 1e-12,
         "position_embedding_type": "absolute"}
        """
    }

    /// Writes config.json, vocab.txt and model.safetensors (with `edit` applied to the tensors).
    func write(to folder: String, edit: (inout [String: Tensor]) -> Void = { _ in }) throws {
        var weights = tensors()
        edit(&weights)
        try SafetensorsWriter.write(weights, to: folder + "/model.safetensors")
        try configJSON.write(toFile: folder + "/config.json", atomically: true, encoding: .utf8)
        try (vocabularyLines.joined(separator: "\n") + "\n").write(toFile: folder + "/vocab.txt", atomically: true, encoding: .utf8)
    }
}

import Foundation

/// The parts of a BERT `config.json` the forward pass needs, checked against what it supports.
public struct MiniLMConfig: Sendable, Equatable {
    public var vocabularySize: Int
    public var hiddenSize: Int
    public var layers: Int
    public var heads: Int
    public var intermediateSize: Int
    public var maxPositions: Int
    public var typeVocabularySize: Int
    public var layerNormEpsilon: Float

    public var headSize: Int { hiddenSize / heads }

    public struct Invalid: Error, CustomStringConvertible, Sendable {
        public let path: String
        public let reason: String
        public var description: String { "model config \(path): \(reason)" }
    }

    public init(contentsOf path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Invalid(path: path, reason: "cannot read the file")
        }
        guard let object = try? JSONSerialization.jsonObject(with: data), let json = object as? [String: Any] else {
            throw Invalid(path: path, reason: "is not a JSON object")
        }
        func int(_ key: String) throws -> Int {
            guard let v = json[key] as? NSNumber, v.doubleValue == v.doubleValue.rounded(), v.intValue > 0 else {
                throw Invalid(path: path, reason: "'\(key)' is missing or not a positive integer")
            }
            return v.intValue
        }
        if let type = json["model_type"] as? String, type != "bert" {
            throw Invalid(path: path, reason: "model_type is '\(type)'; only BERT encoders are supported")
        }
        if let act = json["hidden_act"] as? String, act != "gelu" {
            throw Invalid(path: path, reason: "hidden_act is '\(act)'; only exact (erf) gelu is supported")
        }
        if let kind = json["position_embedding_type"] as? String, kind != "absolute" {
            throw Invalid(path: path, reason: "position_embedding_type is '\(kind)'; only absolute is supported")
        }
        vocabularySize = try int("vocab_size")
        hiddenSize = try int("hidden_size")
        layers = try int("num_hidden_layers")
        heads = try int("num_attention_heads")
        intermediateSize = try int("intermediate_size")
        maxPositions = try int("max_position_embeddings")
        typeVocabularySize = try int("type_vocab_size")
        guard let eps = (json["layer_norm_eps"] as? NSNumber)?.doubleValue, eps > 0, eps < 1 else {
            throw Invalid(path: path, reason: "'layer_norm_eps' is missing or not a small positive number")
        }
        layerNormEpsilon = Float(eps)
        guard hiddenSize % heads == 0 else {
            throw Invalid(path: path, reason: "hidden_size \(hiddenSize) is not divisible by num_attention_heads \(heads)")
        }
    }
}

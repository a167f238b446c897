/// A prompt after the text encoder: the per-token states (the denoiser's cross-attention context)
/// and the pooled sentence vector (retrieval, reward). The payload of `embedding` ports; it lives in
/// FlowKit because text, denoiser, memory and reward node families all consume it.
public struct TextEmbedding: PortPayload {
    public static var portType: PortType { "embedding[f32; T, 384]" }

    /// The prompt text as given.
    public var text: String
    /// The prompt's generation (increases with every switch) and first frame, copied from the `Prompt`.
    public var generation: Int
    public var startFrame: Int
    /// How the prompt was given, and when the timeline's next prompt starts (copied from the `Prompt`).
    public var mode: Prompt.Mode
    public var nextStartFrame: Int?
    /// Token ids including [CLS] and [SEP].
    public var tokenIDs: [Int32]
    /// Final hidden states, [T, width] (384 for all-MiniLM-L6-v2), one row per token id.
    public var tokenStates: Tensor
    /// Mean-pooled, L2-normalised sentence embedding, [width].
    public var sentence: Tensor
    /// True when the prompt was longer than the model's limit and was cut.
    public var truncated: Bool

    public init(text: String, generation: Int, startFrame: Int, tokenIDs: [Int32], tokenStates: Tensor,
                sentence: Tensor, truncated: Bool, mode: Prompt.Mode = .timeline, nextStartFrame: Int? = nil) {
        self.text = text
        self.generation = generation
        self.startFrame = startFrame
        self.tokenIDs = tokenIDs
        self.tokenStates = tokenStates
        self.sentence = sentence
        self.truncated = truncated
        self.mode = mode
        self.nextStartFrame = nextStartFrame
    }

    /// The prompt this embedding came from.
    public var prompt: Prompt {
        Prompt(text: text, startFrame: startFrame, generation: generation, mode: mode, nextStartFrame: nextStartFrame)
    }

    /// Cosine similarity of the sentence embeddings (a dot product: both are unit length).
    public func cosine(_ other: TextEmbedding) -> Float {
        sentence.withUnsafeFloats { a in
            other.sentence.withUnsafeFloats { b in
                var dot: Float = 0
                for i in 0..<min(a.count, b.count) { dot += a[i] * b[i] }
                return dot
            }
        }
    }
}

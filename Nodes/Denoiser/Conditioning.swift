import FlowKit

/// A prompt's text states as the denoiser needs them, with how the prompt source meant it to apply.
struct Conditioning {
    let text: String
    let generation: Int
    let startFrame: Int
    let tokens: Tensor
    /// The prompt's pooled sentence vector; only pooled_text models read it.
    let sentence: Tensor
    /// Typed at the terminal: applies to the next block, whatever its frame.
    let live: Bool
    /// For timeline prompts: the frame of the timeline's next entry (nil: none follows).
    let nextTimelineFrame: Int?

    init(_ packet: Packet) throws {
        let e = try packet.value(as: TextEmbedding.self)
        text = e.text
        generation = e.generation
        startFrame = e.startFrame
        tokens = e.tokenStates
        sentence = e.sentence
        live = e.mode == .live
        nextTimelineFrame = e.nextStartFrame
    }

    /// What the model's calls need of this prompt.
    func context(for model: DiTModel) throws -> TextContext {
        try model.textContext(tokens, sentence: sentence, generation: generation)
    }
}

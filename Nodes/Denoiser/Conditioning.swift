import FlowKit

/// A prompt's text states as the denoiser needs them, with how the prompt source meant it to apply.
struct Conditioning {
    let text: String
    let generation: Int
    let startFrame: Int
    let tokens: Tensor
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
        live = e.mode == .live
        nextTimelineFrame = e.nextStartFrame
    }
}

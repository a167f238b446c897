/// A prompt as it travels from a prompt source: the text, the frame from which it applies, and how it
/// was given. Port type `prompt`.
public struct Prompt: PortPayload, Hashable {
    public static var portType: PortType { "prompt" }

    /// How the prompt source meant a prompt to apply.
    public enum Mode: String, Sendable, Hashable, CaseIterable {
        /// From the graph's timeline: applies exactly at `startFrame`.
        case timeline
        /// Typed during the run: applies to the next block, whatever its frame.
        case live
    }

    public var text: String
    public var startFrame: Int
    /// Increases with every switch, so downstream nodes can tell a new prompt from a repeated one.
    public var generation: Int
    public var mode: Mode
    /// Timeline prompts: the frame the timeline's next prompt starts at (nil when none follows), so a
    /// consumer knows how long this one lasts without waiting for the next packet.
    public var nextStartFrame: Int?

    public init(text: String, startFrame: Int, generation: Int, mode: Mode = .timeline, nextStartFrame: Int? = nil) {
        self.text = text
        self.startFrame = startFrame
        self.generation = generation
        self.mode = mode
        self.nextStartFrame = nextStartFrame
    }
}

/// Several prompts that arrived together, encoded as one batch.
extension Array: PortPayload where Element == Prompt {
    public static var portType: PortType { "prompt" }
}

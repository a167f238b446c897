import FlowKit

/// The interactive family: `prompt.source`.
///
/// The prompts of a session: a timeline of `{ at: FRAME, text }` (each `Prompt` says its mode and when the next
/// one starts) and, on a terminal, every typed line as a live switch for the next block.
///
///     prompts: { type: prompt.source, timeline: [{ at: 0, text: "a red circle drifts right" }, { at: 240, text: "..." }] }
///
/// - Files: `PromptSourceNode.swift` (contract, emission), `Timeline.swift` (parsing, checks at the param),
///   `TerminalLines.swift` (non-blocking line reads from stdin), `PromptInbox.swift` (prompts from the live preview).
/// - Tests: `Tests/InteractiveTests` (timeline, typed lines through a pipe). No fixtures; no benchmark.
public enum InteractiveNodes {
    public static var types: [any Node.Type] { [PromptSourceNode.self] }
}

import FlowKit

/// A resumed session replays its timeline with the same generations (the denoiser ignores the entries it
/// has already applied) and numbers typed prompts after the saved session's, so a new prompt is never
/// mistaken for one already in force.
extension PromptSourceNode: SnapshotState {
    /// Where typed prompts come from is about this process, not the session.
    public static var paramsFreeOnResume: Set<String> { ["terminal"] }

    public func saveState() throws -> NodeState {
        var state = NodeState()
        state.ints["generation"] = generation
        return state
    }

    public func restoreState(_ state: NodeState) throws {
        resumedGeneration = try state.int("generation")
    }
}

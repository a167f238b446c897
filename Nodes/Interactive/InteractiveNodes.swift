import FlowKit

/// The interactive node family.
public enum InteractiveNodes {
    public static var types: [any Node.Type] { [PromptSourceNode.self] }
}

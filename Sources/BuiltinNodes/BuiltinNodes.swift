import FlowKit
import UtilityNodes
import VideoNodes

/// Registers every built-in node family with the shared registry, once.
public enum BuiltinNodes {
    public static var types: [any Node.Type] {
        UtilityNodes.types + VideoNodes.types
    }

    private static let once: Void = {
        for t in types { try? NodeRegistry.shared.register(t) }
    }()

    public static func register() { _ = once }
}

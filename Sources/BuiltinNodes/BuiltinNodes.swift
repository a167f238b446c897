import FlowKit
import UtilityNodes
import VideoNodes
import TextEncoderNodes
import VAENodes
import DenoiserNodes
import CacheNodes
import InteractiveNodes
import RewardNodes
import SearchNodes
import RolloutNodes
import MemoryNodes

/// Registers every built-in node family with the shared registry, once.
public enum BuiltinNodes {
    public static var types: [any Node.Type] {
        UtilityNodes.types + VideoNodes.types + TextEncoderNodes.types
            + VAENodes.types + DenoiserNodes.types + CacheNodes.types + InteractiveNodes.types
            + RewardNodes.types + SearchNodes.types + MemoryNodes.types + RolloutNodes.types
    }

    private static let once: Void = {
        // Two built-ins with one type name is a programming error: stop at once, naming both.
        for t in types {
            do { try NodeRegistry.shared.register(t) } catch { fatalError("built-in node registration: \(error)") }
        }
    }()

    public static func register() { _ = once }
}

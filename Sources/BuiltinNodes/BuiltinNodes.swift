import FlowKit
import UtilityNodes
import VideoNodes
import TextEncoderNodes
import VAENodes
import DenoiserNodes
import CacheNodes
import InteractiveNodes

/// Registers every built-in node family with the shared registry, once.
public enum BuiltinNodes {
    public static var types: [any Node.Type] {
        UtilityNodes.types + VideoNodes.types + TextEncoderNodes.types
            + VAENodes.types + DenoiserNodes.types + CacheNodes.types + InteractiveNodes.types
    }

    private static let once: Void = {
        for t in types { try? NodeRegistry.shared.register(t) }
    }()

    public static func register() { _ = once }
}

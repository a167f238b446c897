import FlowKit

/// The cache node family.
public enum CacheNodes {
    public static var types: [any Node.Type] { [CacheManagerNode.self] }
}

// Node authors import FlowKit alone and get tensors and kernels with it.
@_exported import FlowTensor

/// The version of the node-author API. A plugin reports the version it was compiled against and the
/// host refuses a plugin whose major.minor differs from its own.
public enum FlowKitABI {
    public static let version = "1.5.0"

    /// Emitted into the client at compile time, so a plugin reports the FlowKit it was built with,
    /// not the one it happens to be loaded next to.
    @_alwaysEmitIntoClient
    public static var builtAgainst: StaticString { "1.5.0" }

    /// The address of a value inside this copy of FlowKit. Host and plugin compare theirs: different
    /// addresses mean the plugin carries its own (static) FlowKit, whose registry and types the host
    /// cannot see — `as?` casts would silently fail.
    public static var instanceToken: UnsafeRawPointer { UnsafeRawPointer(Unmanaged.passUnretained(tokenObject).toOpaque()) }
    private static let tokenObject = TokenObject()
    private final class TokenObject: Sendable {}

    /// True when two versions are compatible: same major and minor.
    public static func compatible(_ a: String, _ b: String) -> Bool {
        a.split(separator: ".").prefix(2) == b.split(separator: ".").prefix(2)
    }
}

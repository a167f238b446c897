// Node authors import FlowKit alone and get tensors and kernels with it.
@_exported import FlowTensor

/// The version of the node-author API. A plugin records the version it was compiled against
/// (see `FlowKitABI.builtAgainst`) and the host refuses a plugin whose major.minor differs.
public enum FlowKitABI {
    public static let version = "1.0.0"

    /// Emitted into the client at compile time, so a plugin reports the FlowKit it was built with,
    /// not the one it happens to be loaded next to.
    @_alwaysEmitIntoClient
    public static var builtAgainst: String { "1.0.0" }
}

/// What a plugin's entry point receives: it registers the plugin's node types, tagged with the
/// plugin's path so errors and `flowrun nodes` can name it.
///
/// A plugin exports three C entry points (the `flowrun plugin new` template writes them):
///
///     @_cdecl("flowrun_plugin_flowkit_version")
///     public func flowkitVersion() -> UnsafePointer<UInt8> { FlowKitABI.builtAgainst.utf8Start }
///     @_cdecl("flowrun_plugin_flowkit_instance")
///     public func flowkitInstance() -> UnsafeRawPointer { FlowKitABI.instanceToken }
///     @_cdecl("flowrun_plugin_register")
///     public func register(_ registrar: UnsafeMutableRawPointer) -> Int32 {
///         PluginRegistrar.register([MyNode.self], with: registrar)
///     }
public final class PluginRegistrar {
    public let origin: String
    let registry: NodeRegistry
    /// The first registration error, reported by the host after the entry point returns.
    public private(set) var failure: Error?
    public private(set) var registered: [String] = []

    public init(origin: String, registry: NodeRegistry = .shared) {
        self.origin = origin
        self.registry = registry
    }

    public func register(_ type: any Node.Type) {
        guard failure == nil else { return }
        do {
            try registry.register(type, origin: origin)
            registered.append(type.contract.type)
        } catch {
            failure = error
        }
    }

    /// For the plugin's entry point: registers each type through the host's registrar. Returns 0 on
    /// success, 1 if a registration failed (the host reads the reason from the registrar).
    public static func register(_ types: [any Node.Type], with opaque: UnsafeMutableRawPointer) -> Int32 {
        let registrar = Unmanaged<PluginRegistrar>.fromOpaque(opaque).takeUnretainedValue()
        for t in types { registrar.register(t) }
        return registrar.failure == nil ? 0 : 1
    }
}

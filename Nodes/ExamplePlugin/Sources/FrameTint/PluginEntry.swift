import FlowKit

// The three C entry points flowrun looks for. The version is compiled into this library, so flowrun
// can refuse it with a clear message after a FlowKit upgrade instead of misbehaving.

@_cdecl("flowrun_plugin_flowkit_version")
public func flowrunPluginFlowKitVersion() -> UnsafePointer<UInt8> { FlowKitABI.builtAgainst.utf8Start }

@_cdecl("flowrun_plugin_flowkit_instance")
public func flowrunPluginFlowKitInstance() -> UnsafeRawPointer { FlowKitABI.instanceToken }

@_cdecl("flowrun_plugin_register")
public func flowrunPluginRegister(_ registrar: UnsafeMutableRawPointer) -> Int32 {
    PluginRegistrar.register([FrameTint.self], with: registrar)
}

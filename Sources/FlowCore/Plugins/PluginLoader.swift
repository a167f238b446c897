import Foundation
import FlowKit

/// Why a plugin was refused; every message names the plugin and says what to do.
public struct PluginLoadError: Error, CustomStringConvertible {
    public var path: String
    public var reason: String
    public var description: String { "plugin '\(path)': \(reason)" }
}

/// Loads plugin libraries: checks the FlowKit version they were built with, that they share the
/// host's FlowKit, then lets them register node types. Plugins come only from what the user names —
/// a graph's `plugins:`, `--plugin`, or the folders in FLOWRUN_PLUGIN_PATH — never from the working directory.
public final class PluginLoader: @unchecked Sendable {
    public static let shared = PluginLoader()
    public static let pathVariable = "FLOWRUN_PLUGIN_PATH"

    private let lock = NSLock()
    private var loaded: [String: [String]] = [:]
    private let registry: NodeRegistry

    public init(registry: NodeRegistry = .shared) { self.registry = registry }

    /// Node types each loaded plugin registered, by path.
    public var plugins: [String: [String]] { lock.withLock { loaded } }

    /// Loads every `lib*.so` in the folders listed in FLOWRUN_PLUGIN_PATH.
    public func loadConfiguredFolders(environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        guard let list = environment[PluginLoader.pathVariable], !list.isEmpty else { return }
        for folder in list.split(separator: ":").map(String.init) where !folder.isEmpty {
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else {
                throw PluginLoadError(path: folder, reason: "\(PluginLoader.pathVariable) names a folder that cannot be read")
            }
            for name in names.sorted() where name.hasPrefix("lib") && name.hasSuffix(".so") {
                try load((folder as NSString).appendingPathComponent(name))
            }
        }
    }

    public func load(_ path: String) throws {
        let full = URL(fileURLWithPath: path).standardizedFileURL.path
        if lock.withLock({ loaded[full] != nil }) { return }
        guard FileManager.default.fileExists(atPath: full) else {
            throw PluginLoadError(path: path, reason: "no such file; build the plugin first (swift build -c release in its folder) and give the path to its lib<Name>.so")
        }
        guard let handle = dlopen(full, RTLD_NOW | RTLD_LOCAL) else {
            let why = dlerror().map { String(cString: $0) } ?? "unknown error"
            throw PluginLoadError(path: path, reason: "cannot be loaded as a shared library: \(why)")
        }
        func symbol(_ name: String) -> UnsafeMutableRawPointer? { dlsym(handle, name) }
        guard let versionSymbol = symbol("flowrun_plugin_flowkit_version"),
              let registerSymbol = symbol("flowrun_plugin_register") else {
            dlclose(handle)
            throw PluginLoadError(path: path, reason: "is not a flowrun plugin: it exports no flowrun_plugin_flowkit_version / flowrun_plugin_register entry point (start from `flowrun plugin new NAME`)")
        }
        typealias VersionFunction = @convention(c) () -> UnsafePointer<UInt8>?
        typealias InstanceFunction = @convention(c) () -> UnsafeRawPointer?
        typealias RegisterFunction = @convention(c) (UnsafeMutableRawPointer) -> Int32
        let builtWith = unsafeBitCast(versionSymbol, to: VersionFunction.self)().map { String(cString: $0) } ?? "?"
        guard FlowKitABI.compatible(builtWith, FlowKitABI.version) else {
            throw PluginLoadError(path: path, reason: "was built with FlowKit \(builtWith), this flowrun runs FlowKit \(FlowKitABI.version); rebuild it against this flowrun's FlowKit (swift build -c release in the plugin's folder)")
        }
        if let instanceSymbol = symbol("flowrun_plugin_flowkit_instance") {
            let token = unsafeBitCast(instanceSymbol, to: InstanceFunction.self)()
            guard token == FlowKitABI.instanceToken else {
                throw PluginLoadError(path: path, reason: "carries its own copy of FlowKit (linked statically), so its nodes would be invisible to this flowrun; depend on FlowKit's dynamic library product")
            }
        }
        let registrar = PluginRegistrar(origin: full, registry: registry)
        let status = unsafeBitCast(registerSymbol, to: RegisterFunction.self)(Unmanaged.passUnretained(registrar).toOpaque())
        if let failure = registrar.failure {
            throw PluginLoadError(path: path, reason: "\(failure)")
        }
        if status != 0 {
            throw PluginLoadError(path: path, reason: "its register entry point reported failure (status \(status))")
        }
        lock.withLock { loaded[full] = registrar.registered }
        // The library stays loaded for the life of the process: its node types are now in the registry.
    }
}

import Foundation

/// Loads plugin libraries named on the command line or in a graph's `plugins:` list.
final class PluginLoader: @unchecked Sendable {
    static let shared = PluginLoader()
    private var loaded = Set<String>()

    func load(_ path: String) throws {
        let full = URL(fileURLWithPath: path).standardizedFileURL.path
        if loaded.contains(full) { return }
        throw PluginError("plugins are not supported yet (\(path))")
    }
}

struct PluginError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

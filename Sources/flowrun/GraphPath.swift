import Foundation

/// Finds a graph file the way a user on macOS would expect: `graphs/x.yaml` finds `Graphs/x.yaml`
/// on Linux too, matching each path component case-insensitively when the exact path is missing.
enum GraphPath {
    static func resolve(_ path: String, note: (String) -> Void) -> String {
        let fm = FileManager.default
        if fm.fileExists(atPath: path) { return path }
        let absolute = path.hasPrefix("/")
        var current = absolute ? "/" : "."
        var parts: [String] = []
        for component in path.split(separator: "/").map(String.init) {
            let candidate = (current as NSString).appendingPathComponent(component)
            if fm.fileExists(atPath: candidate) {
                current = candidate
                parts.append(component)
                continue
            }
            guard let entries = try? fm.contentsOfDirectory(atPath: current),
                  let match = entries.sorted().first(where: { $0.lowercased() == component.lowercased() }) else { return path }
            current = (current as NSString).appendingPathComponent(match)
            parts.append(match)
        }
        let found = (absolute ? "/" : "") + parts.joined(separator: "/")
        note("note: '\(path)' does not exist; using '\(found)' (file names are matched case-insensitively, as on macOS)")
        return found
    }
}

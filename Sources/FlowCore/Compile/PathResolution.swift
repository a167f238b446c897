import Foundation
import FlowKit

/// A relative path in a graph means "next to the file that says so". The compiler makes every value of a
/// `path` param absolute, once, against that file's folder: a path handed into an include, given with
/// `--set`, or left at a node's default then names the same file for every node, whichever folder the
/// node was declared in and whatever the working directory is when it runs.
enum PathResolution {
    /// `value` with its paths made absolute when `type` is `path` (or a list of them); other values as given.
    /// An empty path stays empty: nodes read it as "not set".
    static func resolve(_ value: ParamValue, type: ParamType, against directory: String) -> ParamValue {
        switch (type, value) {
        case (.path, .string(let path)) where !path.isEmpty:
            return .string(absolute(path, against: directory))
        case (.list(let element), .list(let items)):
            return .list(items.map { resolve($0, type: element, against: directory) })
        default:
            return value
        }
    }

    /// Every `path` param of a node, resolved against the folder of the file that declares the node.
    static func resolve(_ values: [String: ParamValue], of contract: NodeContract, against directory: String) -> [String: ParamValue] {
        var out = values
        for spec in contract.params {
            if let v = values[spec.name] { out[spec.name] = resolve(v, type: spec.type, against: directory) }
        }
        return out
    }

    /// `path` joined to `directory` (itself taken from the working directory when relative), with `.` and
    /// `..` folded away so messages show the file meant; an absolute path is left as written.
    static func absolute(_ path: String, against directory: String) -> String {
        if path.hasPrefix("/") { return path }
        let base = directory.hasPrefix("/") ? directory
            : (FileManager.default.currentDirectoryPath as NSString).appendingPathComponent(directory)
        return URL(fileURLWithPath: (base as NSString).appendingPathComponent(path)).standardizedFileURL.path
    }

    /// The folder of the file a value was written in.
    static func directory(of file: String) -> String { (file as NSString).deletingLastPathComponent }
}

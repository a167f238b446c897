import Foundation

/// Turns the `path` param into the file to write: fills `{placeholders}`, resolves it against the graph's
/// directory, and refuses to clobber an existing file unless the graph says `overwrite: true`.
struct OutputPath {
    /// Values for `{name}`, `{node}`, `{date}`, `{time}`, `{datetime}`.
    var name: String
    var node: String
    var now: Date

    /// The template with every placeholder replaced; an unknown placeholder is an error, not literal text.
    func expand(_ template: String) throws -> String {
        let values = placeholderValues()
        var result = ""
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "{") {
            result += rest[..<open]
            guard let close = rest[open...].firstIndex(of: "}") else {
                throw OutputPathError("'\(template)' has a '{' without a closing '}'")
            }
            let key = String(rest[rest.index(after: open)..<close])
            guard let value = values[key] else {
                throw OutputPathError("'\(template)' uses {\(key)}; known placeholders are \(values.keys.sorted().map { "{\($0)}" }.joined(separator: ", "))")
            }
            result += value
            rest = rest[rest.index(after: close)...]
        }
        return result + rest
    }

    static let placeholders = ["name", "node", "date", "time", "datetime"]

    private func placeholderValues() -> [String: String] {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: now)
        func two(_ v: Int?) -> String { let n = v ?? 0; return n < 10 ? "0\(n)" : "\(n)" }
        let date = "\(c.year ?? 0)-\(two(c.month))-\(two(c.day))"
        let time = "\(two(c.hour))\(two(c.minute))\(two(c.second))"
        return ["name": name, "node": node, "date": date, "time": time, "datetime": "\(date)T\(time)Z"]
    }

    /// Refuses to replace existing output; for an image sequence, any file the pattern could produce counts.
    static func ensureWritable(_ path: String, format: OutputFormat, overwrite: Bool, remove: Bool = true) throws {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            } catch {
                throw OutputPathError("cannot create the directory '\(directory)': \(error.localizedDescription)")
            }
        }
        let existing = format == .png ? existingSequenceFiles(path) : (FileManager.default.fileExists(atPath: path) ? [path] : [])
        guard let first = existing.first else { return }
        guard overwrite else {
            throw OutputPathError("'\(first)' already exists; set overwrite: true to replace it")
        }
        guard remove else { return }
        for file in existing {
            do { try FileManager.default.removeItem(atPath: file) } catch {
                throw OutputPathError("cannot remove '\(file)' to overwrite it: \(error.localizedDescription)")
            }
        }
    }

    /// Files in the pattern's directory that match `prefix%0Nd suffix`.
    static func existingSequenceFiles(_ pattern: String) -> [String] {
        guard let counter = SequencePattern(pattern) else { return [] }
        let directory = (pattern as NSString).deletingLastPathComponent
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.isEmpty ? "." : directory)) ?? []
        return names.filter(counter.matches).sorted().map { directory.isEmpty ? $0 : directory + "/" + $0 }
    }
}

/// A file name with one printf-style integer counter, `frame_%05d.png`.
struct SequencePattern {
    var prefix: String
    var suffix: String

    init?(_ path: String) {
        let file = (path as NSString).lastPathComponent
        guard let percent = file.firstIndex(of: "%") else { return nil }
        var cursor = file.index(after: percent)
        while cursor < file.endIndex, file[cursor].isNumber { cursor = file.index(after: cursor) }
        guard cursor < file.endIndex, file[cursor] == "d" else { return nil }
        let after = file[file.index(after: cursor)...]
        guard !after.contains("%") else { return nil }
        prefix = String(file[..<percent])
        suffix = String(after)
    }

    func matches(_ name: String) -> Bool {
        guard name.hasPrefix(prefix), name.hasSuffix(suffix), name.count > prefix.count + suffix.count else { return false }
        let middle = name.dropFirst(prefix.count).dropLast(suffix.count)
        return middle.allSatisfy(\.isNumber)
    }
}

struct OutputPathError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

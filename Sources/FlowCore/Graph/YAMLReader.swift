import Foundation
import Yams

/// Reads a graph file into a located YAML tree, refusing what could hang or exhaust memory.
public struct YAMLReader {
    /// Graph files are hand-written; anything bigger is a mistake or an attack.
    public static let maxBytes = 1 << 20
    /// Nodes after alias expansion: a "billion laughs" document stays small on disk but not here.
    public static let maxNodes = 200_000

    public init() {}

    public func read(file: String) throws(GraphErrors) -> (YNode, String) {
        let data = try GraphFileBytes.read(file, limit: YAMLReader.maxBytes)
        let text = try decode(data, file: file)
        return (try parse(text, file: file), text)
    }

    func decode(_ data: Data, file: String) throws(GraphErrors) -> String {
        if let text = String(validatingUTF8CString: data) { return text }
        // Find the first bad byte so the message can point at it.
        var line = 1, column = 1, i = 0
        let bytes = [UInt8](data)
        while i < bytes.count {
            let b = bytes[i]
            let length = b < 0x80 ? 1 : b >> 5 == 0b110 ? 2 : b >> 4 == 0b1110 ? 3 : b >> 3 == 0b11110 ? 4 : 0
            var valid = length > 0 && i + length <= bytes.count && b != 0
            if valid && length > 1 {
                valid = String(bytes: bytes[i..<(i + length)], encoding: .utf8) != nil
            }
            if !valid {
                let what = b == 0 ? "a NUL byte" : String(format: "byte 0x%02X that is not valid UTF-8", b)
                throw GraphErrors([.error("graph files must be UTF-8 text: found \(what)", at: SourceLocation(file: file, line: line, column: column))])
            }
            let lineBreak = SourceLines.lineBreakLength(bytes, at: i)
            if lineBreak > 0 { line += 1; column = 1 } else { column += 1 }
            i += max(length, lineBreak)
        }
        throw GraphErrors([.error("graph file is not valid UTF-8", at: SourceLocation(file: file, line: 1, column: 1))])
    }

    public func parse(_ text: String, file: String) throws(GraphErrors) -> YNode {
        let root: Node?
        let masked = ParamReferenceMasking.mask(text)
        if let collectionKey = YAMLKeyCheck.firstCollectionKey(in: masked, file: file) { throw GraphErrors([collectionKey]) }
        do {
            root = try Yams.compose(yaml: masked)
        } catch let error as YamlError {
            throw GraphErrors([Self.diagnostic(for: error, file: file, text: text)])
        } catch {
            throw GraphErrors([.error("cannot parse YAML: \(error)", at: SourceLocation(file: file, line: 1, column: 1))])
        }
        guard let root else {
            throw GraphErrors([.error("graph file is empty", at: SourceLocation(file: file, line: 1, column: 1))])
        }
        var budget = YAMLReader.maxNodes
        return try convert(root, file: file, budget: &budget)
    }

    private func convert(_ node: Node, file: String, budget: inout Int) throws(GraphErrors) -> YNode {
        budget -= 1
        let loc = SourceLocation(file: file, line: node.mark?.line ?? 1, column: node.mark?.column ?? 1)
        if budget < 0 {
            throw GraphErrors([.error("document expands to more than \(YAMLReader.maxNodes) values (alias expansion?); refusing to load it", at: loc)])
        }
        switch node {
        case .scalar(let s):
            return .scalar(ParamReferenceMasking.unmask(s.string), plain: s.style == .plain, loc)
        case .sequence(let seq):
            var items: [YNode] = []
            for item in seq { items.append(try convert(item, file: file, budget: &budget)) }
            return .sequence(items, loc)
        case .mapping(let map):
            var pairs: [YPair] = []
            for (k, v) in map {
                guard case .scalar(let ks) = k else {
                    let kl = SourceLocation(file: file, line: k.mark?.line ?? loc.line, column: k.mark?.column ?? loc.column)
                    throw GraphErrors([.error("mapping keys must be plain names, not \(k.sequence != nil ? "a list" : "a mapping")", at: kl)])
                }
                let kl = SourceLocation(file: file, line: k.mark?.line ?? loc.line, column: k.mark?.column ?? loc.column)
                pairs.append(YPair(key: ParamReferenceMasking.unmask(ks.string), keyLocation: kl, value: try convert(v, file: file, budget: &budget)))
            }
            return .mapping(pairs, loc)
        case .alias:
            // Yams resolves aliases while composing; an unresolved one means the anchor is missing.
            throw GraphErrors([.error("unresolved YAML alias", at: loc)])
        }
    }

    static func diagnostic(for error: YamlError, file: String, text: String) -> Diagnostic {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
            // libyaml places "found the end of the file" errors on a line after the last one.
            let end = SourceLines.end(of: text, file: file)
            let at = mark.line > end.line ? end : SourceLocation(file: file, line: mark.line, column: mark.column)
            return .error("YAML syntax error: \(YAMLReader.plainProblem(problem))", at: at)
        case .reader(let problem, let offset, _, _):
            return .error("YAML reader error: \(problem)\(offset.map { " at byte \($0)" } ?? "")", at: SourceLocation(file: file, line: 1, column: 1))
        case .duplicatedKeysInMapping(let duplicates, let context):
            let key = duplicates.first ?? "?"
            let first = SourceLocation(file: file, line: context.mark.line, column: context.mark.column)
            let second = secondOccurrence(of: key, after: first, in: text) ?? first
            return .error("duplicate key '\(key)'", at: second, notes: second == first ? [] : [.note("first defined here", at: first)])
        default:
            return .error("cannot parse YAML: \(error)", at: SourceLocation(file: file, line: 1, column: 1))
        }
    }

    /// libyaml's own words, except where they name its C API.
    static func plainProblem(_ problem: String) -> String {
        if problem.hasPrefix("Maximum nesting level reached") { return "lists and mappings nest deeper than 1000 levels" }
        return problem
    }

    /// Yams reports the first occurrence of a duplicated key; users want the one they just added.
    static func secondOccurrence(of key: String, after first: SourceLocation, in text: String) -> SourceLocation? {
        let lines = SourceLines.split(text)
        guard first.line <= lines.count else { return nil }
        let indent = first.column - 1
        for index in first.line..<lines.count {
            let line = lines[index]
            let leading = line.prefix { $0 == " " }.count
            if leading < indent && !line.trimmingCharacters(in: .whitespaces).isEmpty && !line.trimmingCharacters(in: .whitespaces).hasPrefix("#") { break }
            guard leading == indent else { continue }
            let rest = line.dropFirst(indent)
            for candidate in [key, "\"\(key)\"", "'\(key)'"] where rest.hasPrefix(candidate) {
                let after = rest.dropFirst(candidate.count).drop { $0 == " " }
                if after.hasPrefix(":") { return SourceLocation(file: first.file, line: index + 1, column: indent + 1) }
            }
        }
        return nil
    }

}

private extension String {
    /// Strict UTF-8 decoding that also refuses NUL, which libyaml would treat as the end of input.
    init?(validatingUTF8CString data: Data) {
        if data.contains(0) { return nil }
        guard let s = String(data: data, encoding: .utf8) else { return nil }
        self = s
    }
}

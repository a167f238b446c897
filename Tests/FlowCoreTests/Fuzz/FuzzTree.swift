import FlowCore

/// A YAML document the fuzzer can edit and write back out: unlike `YNode`, it can hold anchors and
/// aliases, so structure mutations can add them.
indirect enum FuzzTree: Sendable {
    /// `quoted` scalars are written in double quotes; plain ones as they are, when YAML allows it.
    case scalar(String, quoted: Bool)
    case list([FuzzTree])
    case map([(key: String, value: FuzzTree)])
    /// `&name value`.
    case anchored(String, FuzzTree)
    /// `*name`.
    case alias(String)

    init(_ node: YNode) {
        switch node {
        case .scalar(let s, let plain, _): self = .scalar(s, quoted: !plain)
        case .sequence(let items, _): self = .list(items.map(FuzzTree.init))
        case .mapping(let pairs, _): self = .map(pairs.map { ($0.key, FuzzTree($0.value)) })
        }
    }

    /// Every subtree, each with the path of child indices that reaches it (the root has `[]`). An anchor
    /// is transparent: it and the value it names share a path.
    var subtrees: [(path: [Int], tree: FuzzTree)] {
        if case .anchored(_, let t) = self { return [([], self)] + t.subtrees.dropFirst() }
        var out: [(path: [Int], tree: FuzzTree)] = [([], self)]
        for (i, child) in children.enumerated() {
            out += child.subtrees.map { ([i] + $0.path, $0.tree) }
        }
        return out
    }

    var children: [FuzzTree] {
        switch self {
        case .scalar, .alias: return []
        case .list(let items): return items
        case .map(let pairs): return pairs.map(\.value)
        case .anchored(_, let t): return t.children
        }
    }

    /// This tree with the subtree at `path` replaced by what `change` makes of it; a path that leads
    /// nowhere (the tree changed under it) changes nothing.
    func replacing(at path: [Int], _ change: (FuzzTree) -> FuzzTree) -> FuzzTree {
        guard let first = path.first else { return change(self) }
        let rest = Array(path.dropFirst())
        switch self {
        case .scalar, .alias: return self
        case .list(var items):
            guard items.indices.contains(first) else { return self }
            items[first] = items[first].replacing(at: rest, change)
            return .list(items)
        case .map(var pairs):
            guard pairs.indices.contains(first) else { return self }
            pairs[first].value = pairs[first].value.replacing(at: rest, change)
            return .map(pairs)
        case .anchored(let name, let t): return .anchored(name, t.replacing(at: path, change))
        }
    }
}

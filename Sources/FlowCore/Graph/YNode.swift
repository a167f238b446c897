/// A YAML value with the place it was written, so every later check can point at the source.
/// Built from Yams' composed tree; aliases are already expanded by then.
public indirect enum YNode: Sendable {
    /// `plain` is false for quoted scalars, which are always strings.
    case scalar(String, plain: Bool, SourceLocation)
    case sequence([YNode], SourceLocation)
    case mapping([YPair], SourceLocation)

    public var location: SourceLocation {
        switch self {
        case .scalar(_, _, let l), .sequence(_, let l), .mapping(_, let l): return l
        }
    }

    public var string: String? {
        if case .scalar(let s, _, _) = self { return s }
        return nil
    }

    public var pairs: [YPair]? {
        if case .mapping(let p, _) = self { return p }
        return nil
    }

    public var items: [YNode]? {
        if case .sequence(let i, _) = self { return i }
        return nil
    }

    public var kindName: String {
        switch self {
        case .scalar: return "a scalar"
        case .sequence: return "a list"
        case .mapping: return "a mapping"
        }
    }

    public subscript(key: String) -> YNode? {
        pairs?.first { $0.key == key }?.value
    }
}

public struct YPair: Sendable {
    public var key: String
    public var keyLocation: SourceLocation
    public var value: YNode
}

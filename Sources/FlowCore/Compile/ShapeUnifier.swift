import FlowKit

/// Unifies shape symbols across edges. Each node's symbols are its own variables (`F` at the denoiser
/// and `F` at the VAE are different until an edge joins them); params may fix their values.
struct ShapeUnifier {
    private var parent: [String: String] = [:]
    private var value: [String: Int] = [:]
    /// Where a variable's value came from: the node and the param it follows from, for messages.
    struct Source: Equatable {
        var node: Int
        var param: String?
    }
    private var source: [String: Source] = [:]

    /// Two values that cannot be equal, with where each came from when a node's params fixed it.
    struct Conflict {
        var producer: Int
        var consumer: Int
        var producerSource: Source?
        var consumerSource: Source?
    }

    private mutating func find(_ v: String) -> String {
        var root = v
        while let p = parent[root], p != root { root = p }
        var cur = v
        while let p = parent[cur], p != root { parent[cur] = root; cur = p }
        if parent[v] == nil { parent[v] = v }
        return root
    }

    static func variable(node: Int, symbol: String) -> String { "\(node)#\(symbol)" }

    mutating func bind(_ v: String, to n: Int, source from: Source? = nil) -> Int? {
        let r = find(v)
        if let existing = value[r], existing != n { return existing }
        value[r] = n
        source[r] = source[r] ?? from
        return nil
    }

    private mutating func sourceOf(_ dim: Dim, node: Int) -> Source? {
        guard case .symbol(let s) = dim else { return nil }
        return source[find(ShapeUnifier.variable(node: node, symbol: s))]
    }

    /// The value a dimension has at a node, if known.
    mutating func resolved(_ dim: Dim, node: Int) -> Int? {
        switch dim {
        case .fixed(let n): return n
        case .any: return nil
        case .symbol(let s): return value[find(ShapeUnifier.variable(node: node, symbol: s))]
        }
    }

    /// Joins two dims; returns the conflicting values, and where they came from, if they cannot be equal.
    mutating func unify(_ a: Dim, at na: Int, _ b: Dim, at nb: Int) -> Conflict? {
        let sa = sourceOf(a, node: na), sb = sourceOf(b, node: nb)
        guard let (x, y) = join(a, at: na, b, at: nb) else { return nil }
        return Conflict(producer: x, consumer: y, producerSource: sa, consumerSource: sb)
    }

    private mutating func join(_ a: Dim, at na: Int, _ b: Dim, at nb: Int) -> (Int, Int)? {
        switch (a, b) {
        case (.any, _), (_, .any): return nil
        case (.fixed(let x), .fixed(let y)): return x == y ? nil : (x, y)
        case (.symbol(let s), .fixed(let y)):
            let v = ShapeUnifier.variable(node: na, symbol: s)
            if let old = bind(v, to: y) { return (old, y) }
            return nil
        case (.fixed(let x), .symbol(let s)):
            let v = ShapeUnifier.variable(node: nb, symbol: s)
            if let old = bind(v, to: x) { return (x, old) }
            return nil
        case (.symbol(let s), .symbol(let t)):
            let ra = find(ShapeUnifier.variable(node: na, symbol: s))
            let rb = find(ShapeUnifier.variable(node: nb, symbol: t))
            if ra == rb { return nil }
            switch (value[ra], value[rb]) {
            case (let x?, let y?) where x != y: return (x, y)
            case (let x?, nil): value[rb] = x; source[rb] = source[ra]
            case (nil, let y?): value[ra] = y
            default: break
            }
            parent[ra] = rb
            source[rb] = source[rb] ?? source[ra]
            return nil
        }
    }
}

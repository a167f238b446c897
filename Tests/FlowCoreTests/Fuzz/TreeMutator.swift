/// YAML-structure mutations: keys dropped, duplicated, renamed and swapped, scalars turned into lists
/// and mappings, deep nesting, anchors and aliases, hostile values, and graphs grown to many nodes.
enum TreeMutator {
    /// Keys the graph format gives meaning to, to rename into or insert.
    static let keys = ["version", "name", "description", "params", "plugins", "inputs", "outputs", "nodes", "type", "include",
                       "queue", "policy", "from", "feedback", "default", "min", "max", "choices", "doc", "in", "path",
                       "count", "model", "frames", "text", "timeline", "at", "seed", "steps", "window", "sink"]

    static func mutate(_ tree: FuzzTree, _ rng: inout SplitMix64) -> FuzzTree {
        let all = tree.subtrees
        let path = rng.pick(all).path
        switch rng.below(14) {
        case 0: return tree.replacing(at: path) { dropKey($0, &rng) }
        case 1: return tree.replacing(at: path) { duplicateKey($0, &rng) }
        case 2: return tree.replacing(at: path) { swapKeys($0, &rng) }
        case 3: return tree.replacing(at: path) { renameKey($0, &rng) }
        case 4: return tree.replacing(at: path) { insertKey($0, &rng) }
        case 5: return tree.replacing(at: path) { reshape($0, &rng) }
        case 6: return tree.replacing(at: path) { nest($0, depth: 1 + rng.below(rng.oneIn(4) ? 1_500 : 20), &rng) }
        case 7: return alias(tree, target: path, from: rng.pick(all).path, &rng)
        case 8: return tree.replacing(at: path) { _ in .scalar(HostileValues.scalar(&rng), quoted: rng.oneIn(3)) }
        case 9: return tree.replacing(at: path) { _ in rng.pick(all).tree }
        case 10: return rng.oneIn(20) ? aliasBomb(tree, &rng) : tree.replacing(at: path) { dropKey($0, &rng) }
        case 11: return rng.oneIn(10) ? grow(tree, &rng) : tree.replacing(at: path) { reshape($0, &rng) }
        default: return tree.replacing(at: path) { replaceScalars(in: $0, &rng) }
        }
    }

    static func dropKey(_ t: FuzzTree, _ rng: inout SplitMix64) -> FuzzTree {
        switch t {
        case .map(var pairs) where !pairs.isEmpty: pairs.remove(at: rng.below(pairs.count)); return .map(pairs)
        case .list(var items) where !items.isEmpty: items.remove(at: rng.below(items.count)); return .list(items)
        default: return t
        }
    }

    static func duplicateKey(_ t: FuzzTree, _ rng: inout SplitMix64) -> FuzzTree {
        guard case .map(var pairs) = t, !pairs.isEmpty else { return t }
        var copy = pairs[rng.below(pairs.count)]
        if rng.oneIn(2) { copy.key += rng.pick(["2", "_copy", "-b", ""]) }
        pairs.insert(copy, at: rng.below(pairs.count + 1))
        return .map(pairs)
    }

    static func swapKeys(_ t: FuzzTree, _ rng: inout SplitMix64) -> FuzzTree {
        switch t {
        case .map(var pairs) where pairs.count > 1:
            let i = rng.below(pairs.count), j = rng.below(pairs.count)
            if rng.oneIn(2) { pairs.swapAt(i, j) } else { (pairs[i].value, pairs[j].value) = (pairs[j].value, pairs[i].value) }
            return .map(pairs)
        case .list(var items) where items.count > 1:
            items.swapAt(rng.below(items.count), rng.below(items.count))
            return .list(items)
        default: return t
        }
    }

    static func renameKey(_ t: FuzzTree, _ rng: inout SplitMix64) -> FuzzTree {
        guard case .map(var pairs) = t, !pairs.isEmpty else { return t }
        let i = rng.below(pairs.count)
        switch rng.below(3) {
        case 0: pairs[i].key = rng.pick(keys)
        case 1: pairs[i].key = HostileValues.scalar(&rng)
        default:
            var chars = Array(pairs[i].key)
            if !chars.isEmpty { chars[rng.below(chars.count)] = rng.pick(Array("abz_-.9é/ ")) }
            pairs[i].key = String(chars)
        }
        return .map(pairs)
    }

    static func insertKey(_ t: FuzzTree, _ rng: inout SplitMix64) -> FuzzTree {
        guard case .map(var pairs) = t else { return t }
        let value: FuzzTree = rng.oneIn(3) ? .map([(rng.pick(keys), .scalar(HostileValues.scalar(&rng), quoted: false))])
            : .scalar(HostileValues.scalar(&rng), quoted: rng.oneIn(4))
        pairs.insert((rng.pick(keys), value), at: rng.below(pairs.count + 1))
        return .map(pairs)
    }

    /// A scalar becomes a list or mapping, a collection becomes a scalar or the other collection.
    static func reshape(_ t: FuzzTree, _ rng: inout SplitMix64) -> FuzzTree {
        switch t {
        case .scalar(let s, _):
            return rng.oneIn(2) ? .list([t]) : .map([(s.isEmpty ? "k" : s, t)])
        case .list(let items):
            return rng.oneIn(2) ? .scalar("x", quoted: false) : .map(items.enumerated().map { ("k\($0.offset)", $0.element) })
        case .map(let pairs):
            return rng.oneIn(2) ? .scalar(pairs.first?.key ?? "", quoted: false) : .list(pairs.map(\.value))
        case .anchored, .alias:
            return .scalar("x", quoted: false)
        }
    }

    static func nest(_ t: FuzzTree, depth: Int, _ rng: inout SplitMix64) -> FuzzTree {
        var out = t
        let asList = rng.oneIn(2)
        for _ in 0..<depth { out = asList ? .list([out]) : .map([("k", out)]) }
        return out
    }

    /// Anchors one subtree and puts an alias to it somewhere else (possibly before the anchor, or inside it).
    static func alias(_ tree: FuzzTree, target: [Int], from source: [Int], _ rng: inout SplitMix64) -> FuzzTree {
        let name = "a\(rng.below(3))"
        let anchored = tree.replacing(at: source) { .anchored(name, $0) }
        return anchored.replacing(at: target) { _ in .alias(name) }
    }

    /// "Billion laughs": each level lists the one before ten times.
    static func aliasBomb(_ tree: FuzzTree, _ rng: inout SplitMix64) -> FuzzTree {
        guard case .map(var pairs) = tree else { return tree }
        pairs.append(("l0", .anchored("l0", .list(Array(repeating: .scalar("x", quoted: false), count: 10)))))
        for level in 1...(3 + rng.below(7)) {
            pairs.append(("l\(level)", .anchored("l\(level)", .list(Array(repeating: .alias("l\(level - 1)"), count: 10)))))
        }
        return .map(pairs)
    }

    /// Node types that read model files while the graph is checked (config.json for shape symbols).
    static let modelTypes: Set<String> = ["denoiser.block", "vae.decoder", "vae.encoder", "video.source", "text.encoder"]

    /// Many copies of one node under new ids: a big graph must still check in linear time (thousands of
    /// nodes found several quadratic steps). Nodes that read model files and includes cost milliseconds
    /// each even when linear, so they are copied at most 100 times to stay well inside the hang guard.
    static func grow(_ tree: FuzzTree, _ rng: inout SplitMix64) -> FuzzTree {
        guard case .map(var top) = tree, let n = top.firstIndex(where: { $0.key == "nodes" }),
              case .map(var nodes) = top[n].value, let original = nodes.first else { return tree }
        let model = rng.pick(nodes)
        var costly = true
        if case .map(let fields) = model.value, !fields.contains(where: { $0.key == "include" }),
           let type = fields.first(where: { $0.key == "type" }), case .scalar(let name, _) = type.value {
            costly = modelTypes.contains(name)
        }
        let copies = 1 + rng.below(costly ? 100 : 1_500)
        for i in 0..<copies { nodes.append(("\(original.key)\(i)", model.value)) }
        top[n].value = .map(nodes)
        return .map(top)
    }

    static func replaceScalars(in t: FuzzTree, _ rng: inout SplitMix64) -> FuzzTree {
        let scalars = t.subtrees.filter { if case .scalar = $0.tree { return true }; return false }
        guard !scalars.isEmpty else { return t }
        return t.replacing(at: rng.pick(scalars).path) { _ in .scalar(HostileValues.scalar(&rng), quoted: rng.oneIn(4)) }
    }
}

/// Byte-level mutations of a graph file: flipped and random bytes, cut and repeated ranges, YAML tokens
/// and hostile text inserted, lines swapped or re-indented, invalid UTF-8 and NUL.
enum ByteMutator {
    static let tokens = [": ", "- ", "{", "}", "[", "]", ",", "&a ", "*a", "!!str ", "!!binary ", "? ", "${", "}", "${frames}",
                         "\t", "\n", "\r\n", "\"", "'", "#", "|", ">", "---\n", "...\n", "%YAML 1.2\n", "<<: *a\n",
                         "\u{FEFF}", "é", "🎬", "\u{202E}", "include: ", "type: ", "inputs: ", "from: ", "feedback: true",
                         "queue: 0", "policy: latest", "in.in", ".out", "version: 2\n", "nodes:\n", "params:\n"]

    static func mutate(_ bytes: inout [UInt8], _ rng: inout SplitMix64) {
        guard !bytes.isEmpty else { bytes = Array(rng.pick(tokens).utf8); return }
        let i = rng.below(bytes.count)
        switch rng.below(11) {
        case 0: bytes[i] ^= UInt8(1 << rng.below(8))
        case 1: bytes[i] = UInt8(truncatingIfNeeded: rng.next())
        case 2: bytes.removeSubrange(i..<min(bytes.count, i + 1 + rng.below(40)))
        case 3: bytes.insert(contentsOf: Array(rng.pick(tokens).utf8), at: i)
        case 4: bytes.removeSubrange(i...)
        case 5: bytes.insert(contentsOf: bytes[i..<min(bytes.count, i + 1 + rng.below(200))], at: rng.below(bytes.count))
        case 6: bytes.insert(contentsOf: Array(HostileValues.scalar(&rng).utf8.prefix(5_000)), at: i)
        case 7: bytes.insert(rng.pick([0x00, 0xC0, 0xFF, 0xE9, 0x80, 0xED]), at: i)
        case 8: swapLines(&bytes, &rng)
        case 9: reindent(&bytes, at: i, &rng)
        default: bytes[i] = rng.pick(Array(" :-{}[],#&*!|>'\"\n\t$".utf8))
        }
    }

    static func swapLines(_ bytes: inout [UInt8], _ rng: inout SplitMix64) {
        var lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false).map(Array.init)
        guard lines.count > 1 else { return }
        lines.swapAt(rng.below(lines.count), rng.below(lines.count))
        bytes = Array(lines.joined(separator: [0x0A]))
    }

    /// Adds or removes indentation at the start of the line holding byte `i`.
    static func reindent(_ bytes: inout [UInt8], at i: Int, _ rng: inout SplitMix64) {
        var start = i
        while start > 0 && bytes[start - 1] != 0x0A { start -= 1 }
        if rng.oneIn(2) { bytes.insert(contentsOf: Array(repeating: 0x20, count: 1 + rng.below(4)), at: start) }
        else if start < bytes.count && bytes[start] == 0x20 { bytes.remove(at: start) }
    }
}

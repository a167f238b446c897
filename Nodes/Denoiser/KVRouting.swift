import FlowKit

/// KVPO-style branches: candidates of a block share their noise and differ in which history they attend.
/// Each candidate keeps every window frame of its beam's K/V with probability `keep` (the sink always stays,
/// and candidate 0 keeps everything, so the group holds the plain continuation). The draw depends only on
/// (seed, block, candidate, frame position), so a run is repeatable and the record can name what was seen.
struct KVRouting: Sendable {
    let keep: Float
    let seed: UInt64

    func route(_ prefix: AttentionPrefix, block: Int, candidate index: Int) -> AttentionPrefix {
        guard index > 0 else { return prefix }
        var routed = prefix
        routed.window = prefix.window.filter { uniform(block: block, candidate: index, position: $0.position) < keep }
        return routed
    }

    /// A uniform number in [0, 1) from SplitMix64 of the key.
    private func uniform(block: Int, candidate: Int, position: Int) -> Float {
        var z = seed &* 0xD1B5_4A32_D192_ED03 ^ UInt64(truncatingIfNeeded: block) &* 0x9E37_79B9_7F4A_7C15
            ^ UInt64(truncatingIfNeeded: candidate) &* 0xBF58_476D_1CE4_E5B9 ^ UInt64(truncatingIfNeeded: position) &* 0x94D0_49BB_1331_11EB
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return Float(z >> 40) / Float(1 << 24)
    }
}

import Foundation


/// The record fuzzers' budget and mutations. FLOWRUN_FUZZ_ITERATIONS=1000000 for a long run; CI uses the default.
public enum FuzzIterations {
    public static var count: Int { ProcessInfo.processInfo.environment["FLOWRUN_FUZZ_ITERATIONS"].flatMap(Int.init) ?? 300 }

    /// One to three random edits: cut the tail, flip a bit, overwrite a byte with 0, 0x7F, 0x80 or 0xFF,
    /// insert random bytes, or duplicate a span.
    public static func mutate(_ bytes: [UInt8], _ rng: inout SplitMix64) -> [UInt8] {
        var b = bytes
        for _ in 0...rng.below(3) where !b.isEmpty {
            switch rng.below(5) {
            case 0: b = Array(b.prefix(rng.below(b.count)))
            case 1: b[rng.below(b.count)] ^= UInt8(1 << rng.below(8))
            case 2: b[rng.below(b.count)] = rng.pick([0, 0x7F, 0x80, 0xFF])
            case 3: b.insert(contentsOf: (0..<(1 + rng.below(12))).map { _ in UInt8(truncatingIfNeeded: rng.next()) }, at: rng.below(b.count + 1))
            default:
                let start = rng.below(b.count), end = min(b.count, start + 1 + rng.below(64))
                b.insert(contentsOf: b[start..<end], at: rng.below(b.count + 1))
            }
        }
        return b
    }
}

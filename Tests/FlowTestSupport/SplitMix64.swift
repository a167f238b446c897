/// Small deterministic generator (SplitMix64) so fuzz failures reproduce from the seed.
public struct SplitMix64: Sendable {
    public var state: UInt64
    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E3779B97F4A7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58476D1CE4E5B9
        z = (z ^ (z >> 27)) &* 0x94D049BB133111EB
        return z ^ (z >> 31)
    }

    /// A number in 0..<n (n > 0).
    public mutating func below(_ n: Int) -> Int { Int(next() % UInt64(max(1, n))) }

    /// True about once in `n` calls.
    public mutating func oneIn(_ n: Int) -> Bool { below(n) == 0 }

    public mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }
}

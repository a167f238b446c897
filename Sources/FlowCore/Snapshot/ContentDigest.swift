/// A 64-bit digest of bytes, to tell a snapshot's bytes (or a model's files) apart from altered ones. Not a
/// cryptographic hash: it guards against truncation, bit rot and mix-ups, not against a forger. Each step
/// (xor a word in, multiply by an odd constant, xor-shift) is a bijection of the state, so changing any one
/// 8-byte word of the input always changes the digest.
public struct ContentDigest: Sendable {
    public private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    public init() {}

    /// Adds bytes; the result depends on how the input is split into calls (words are taken per call).
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        var h = value
        let n = bytes.count
        var i = 0
        while i + 8 <= n {
            h = (h ^ bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0x0000_0100_0000_01b3
            h ^= h >> 29
            i += 8
        }
        while i < n {
            h = (h ^ UInt64(bytes[i])) &* 0x0000_0100_0000_01b3
            i += 1
        }
        // The length, so inputs that differ only by trailing zero words still differ.
        h = (h ^ UInt64(n)) &* 0x0000_0100_0000_01b3
        value = h ^ (h >> 31)
    }

    public mutating func update(_ bytes: [UInt8]) { bytes.withUnsafeBytes { update($0) } }
    public mutating func update(_ text: String) { update(Array(text.utf8)) }

    public static func of(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var d = ContentDigest()
        d.update(bytes)
        return d.value
    }

    public var hex: String {
        let s = String(value, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }
}

#if canImport(Glibc)
import Glibc
#endif

/// Vector math used by the elementwise kernels. Accuracy is what the golden tests need
/// (relative error ~1e-7 for exp over the float range that matters).
enum SIMDMath {
    typealias V = SIMD16<Float>
    static let width = 16

    /// e^x for each lane. Range reduction x = n·ln2 + r with |r| <= ln2/2, then a degree-7
    /// Taylor polynomial (error < 1e-8 relative), then scaling by 2^n through the exponent bits.
    /// Inputs are clamped to [-87, 88] so 2^n stays a normal float; e^x for x < -87 is 0.
    ///
    /// Written with compares, multiplies and bit casts only: the generic SIMD `rounded`, `clamped`
    /// and integer conversions compile to per-lane libm calls on baseline x86-64.
    @inline(__always)
    static func exp(_ x: V) -> V {
        let clamped = x.replacing(with: -87, where: x .< -87).replacing(with: 88, where: x .> 88)
        // Adding 1.5·2^23 rounds to an integer held in the low mantissa bits (round half even).
        let shifter: Float = 12_582_912
        let t = clamped * 1.442695040888963 + shifter
        let n = t - shifter
        // ln2 split into a part exact in float and a remainder, so n·ln2 subtracts without error.
        let r = clamped - n * 0.693145751953125 - n * 1.428606765330187e-06
        var p = V(repeating: 1.0 / 5040)
        p = p * r + 1.0 / 720
        p = p * r + 1.0 / 120
        p = p * r + 1.0 / 24
        p = p * r + 1.0 / 6
        p = p * r + 0.5
        p = p * r + 1
        p = p * r + 1
        let integer = unsafeBitCast(t, to: SIMD16<Int32>.self) &- 0x4B40_0000
        let scale = unsafeBitCast((integer &+ 127) &<< 23, to: V.self)
        // Below the clamp e^x is under the smallest normal float: flush to exactly 0, so masked
        // (-inf) attention scores get exactly zero weight.
        return (p * scale).replacing(with: 0, where: x .< -87)
    }

    /// Scalar e^x (libm), for row corrections and vector tails.
    @inline(__always)
    static func exp(_ x: Float) -> Float { expf(x) }

    /// Applies `vector` 16 lanes at a time and `scalar` to the tail.
    @inline(__always)
    static func map(_ src: UnsafeBufferPointer<Float>, _ dst: UnsafeMutableBufferPointer<Float>,
                    vector: (V) -> V, scalar: (Float) -> Float) {
        let n = src.count
        let s = UnsafeRawPointer(src.baseAddress!), d = UnsafeMutableRawPointer(dst.baseAddress!)
        var i = 0
        while i + width <= n {
            d.storeBytes(of: vector(s.loadUnaligned(fromByteOffset: i * 4, as: V.self)), toByteOffset: i * 4, as: V.self)
            i += width
        }
        while i < n { dst[i] = scalar(src[i]); i += 1 }
    }

    /// Sum of `count` floats at `p`.
    @inline(__always)
    static func sum(_ p: UnsafePointer<Float>, _ count: Int) -> Float {
        var acc = V(repeating: 0), i = 0
        let raw = UnsafeRawPointer(p)
        while i + width <= count { acc += raw.loadUnaligned(fromByteOffset: i * 4, as: V.self); i += width }
        var total = acc.sum()
        while i < count { total += p[i]; i += 1 }
        return total
    }

    /// Largest of `count` floats at `p` (-inf for none).
    @inline(__always)
    static func max(_ p: UnsafePointer<Float>, _ count: Int) -> Float {
        var acc = V(repeating: -.infinity), i = 0
        let raw = UnsafeRawPointer(p)
        while i + width <= count {
            let v = raw.loadUnaligned(fromByteOffset: i * 4, as: V.self)
            acc.replace(with: v, where: v .> acc)
            i += width
        }
        var best = acc.max()
        while i < count { best = Swift.max(best, p[i]); i += 1 }
        return best
    }

    /// p[i] = e^(p[i] - shift); returns the sum of the new values.
    @inline(__always)
    static func expShiftedInPlace(_ p: UnsafeMutablePointer<Float>, _ count: Int, shift: Float) -> Float {
        var acc = V(repeating: 0), i = 0
        let raw = UnsafeMutableRawPointer(p)
        while i + width <= count {
            let e = exp(raw.loadUnaligned(fromByteOffset: i * 4, as: V.self) - shift)
            raw.storeBytes(of: e, toByteOffset: i * 4, as: V.self)
            acc += e
            i += width
        }
        var total = acc.sum()
        while i < count { let e = exp(p[i] - shift); p[i] = e; total += e; i += 1 }
        return total
    }

    /// p[i] *= factor.
    @inline(__always)
    static func scaleInPlace(_ p: UnsafeMutablePointer<Float>, _ count: Int, by factor: Float) {
        var i = 0
        let raw = UnsafeMutableRawPointer(p)
        while i + width <= count {
            raw.storeBytes(of: raw.loadUnaligned(fromByteOffset: i * 4, as: V.self) * factor, toByteOffset: i * 4, as: V.self)
            i += width
        }
        while i < count { p[i] *= factor; i += 1 }
    }
}

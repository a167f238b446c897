/// Swift SIMD helpers for the memory-bound elementwise kernels (add, multiply, scale). Anything
/// with arithmetic per element worth vectorising wider (exp, softmax, activations, norms) lives in
/// the CKernels C target instead, which is compiled per ISA (see `VectorISA`).
enum SIMDMath {
    typealias V = SIMD16<Float>
    static let width = 16

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
}

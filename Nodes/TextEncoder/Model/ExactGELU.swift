import FlowKit

/// GELU with erf (BERT's "gelu"), in place and 16 lanes at a time.
///
/// FlowTensor's `Kernels.gelu(_, approximation: .erf)` calls libm's erff per element; profiling the
/// encoder showed a fifth of its time there. erf(x) = x·P(x²)/Q(x²) for |x| < 3.9 and ±1 beyond,
/// a rational fit of our own (degrees 5/5, least squares against mpmath erf)
/// with max abs error 3.6e-7, well inside the 1e-4 parity budget. Worth moving into FlowTensor.
enum ExactGELU {
    typealias V = SIMD16<Float>
    private static let p: [Float] = [1.1283775945349368, 0.21244369225165868, 0.05571190522095033,
                                     0.004749521139555373, 0.00031384688726950836, 1.954497690070303e-06]
    private static let q: [Float] = [1.0, 0.5215930911872441, 0.12327715556562806, 0.01689733803423812,
                                     0.001416034776418176, 3.865116650617932e-05]
    private static let limit: Float = 3.9

    static func apply(_ x: inout Tensor) {
        x.withUnsafeMutableFloats { buffer in
            let raw = UnsafeMutableRawPointer(buffer.baseAddress!)
            var i = 0
            while i + 16 <= buffer.count {
                let v = raw.loadUnaligned(fromByteOffset: i * 4, as: V.self)
                raw.storeBytes(of: gelu(v), toByteOffset: i * 4, as: V.self)
                i += 16
            }
            while i < buffer.count {
                buffer[i] = gelu(V(repeating: buffer[i]))[0]
                i += 1
            }
        }
    }

    @inline(__always)
    static func gelu(_ x: V) -> V {
        // erf(x / √2), clamped where |erf| rounds to 1 anyway.
        var z = x * 0.7071067811865476
        z.replace(with: -limit, where: z .< -limit)
        z.replace(with: limit, where: z .> limit)
        let t = z * z
        var num = V(repeating: p[5]), den = V(repeating: q[5])
        for k in stride(from: 4, through: 0, by: -1) {
            num = num * t + p[k]
            den = den * t + q[k]
        }
        var erf = z * num / den
        // Beyond the fit's range erf is ±1 to float precision; exact, so GELU(x) is x or 0 there.
        erf.replace(with: 1, where: z .>= limit)
        erf.replace(with: -1, where: z .<= -limit)
        return 0.5 * x * (1 + erf)
    }
}

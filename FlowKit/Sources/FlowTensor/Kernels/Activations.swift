#if canImport(Glibc)
import Glibc
#endif

/// How GELU is computed.
public enum GELUApproximation: Sendable {
    /// 0.5·x·(1 + erf(x/√2)), the exact form.
    case erf
    /// 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))).
    case tanh
}

extension Kernels {
    /// GELU, elementwise.
    public static func gelu(_ x: Tensor, approximation: GELUApproximation = .tanh) -> Tensor {
        x.requireF32("gelu")
        switch approximation {
        case .tanh:
            // 1 + tanh(u) = 2·sigmoid(2u), so gelu = x / (1 + e^(-2u)): no cancellation for x < 0.
            let c: Float = 0.7978845608028654 * 2, k: Float = 0.044715
            return elementwise(x, vector: { v in v / (1 + SIMDMath.exp(-(c * (v + k * v * v * v)))) },
                               scalar: { v in v / (1 + SIMDMath.exp(-(c * (v + k * v * v * v)))) })
        case .erf:
            // erff per element: no accurate vector erf in the standard library; this path is for
            // models that were trained with exact GELU.
            return elementwise(x, vector: { v in
                var out = v
                for i in 0..<v.scalarCount { out[i] = 0.5 * v[i] * (1 + erff(v[i] * 0.7071067811865476)) }
                return out
            }, scalar: { v in 0.5 * v * (1 + erff(v * 0.7071067811865476)) })
        }
    }

    /// SiLU (swish): x · sigmoid(x), elementwise.
    public static func silu(_ x: Tensor) -> Tensor {
        x.requireF32("silu")
        return elementwise(x, vector: { v in v / (1 + SIMDMath.exp(-v)) }, scalar: { v in v / (1 + SIMDMath.exp(-v)) })
    }

    /// Sigmoid, elementwise.
    public static func sigmoid(_ x: Tensor) -> Tensor {
        x.requireF32("sigmoid")
        return elementwise(x, vector: { v in 1 / (1 + SIMDMath.exp(-v)) }, scalar: { v in 1 / (1 + SIMDMath.exp(-v)) })
    }

    @inline(__always)
    static func elementwise(_ x: Tensor, vector: (SIMDMath.V) -> SIMDMath.V, scalar: (Float) -> Float) -> Tensor {
        Tensor(shape: x.shape) { out in
            x.withUnsafeFloats { src in SIMDMath.map(src, out, vector: vector, scalar: scalar) }
        }
    }
}

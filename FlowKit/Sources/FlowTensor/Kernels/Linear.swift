/// A linear layer's weights, y = x · Wᵀ + b, with W stored [out, in] as in PyTorch checkpoints.
///
/// The weight sits behind `Backend` so that a bf16 GEMM (e.g. oneDNN) can slot in without
/// changing callers: today bf16/f16 weights are widened to f32 once, at construction, because
/// Debian's OpenBLAS 0.3.21 has no sbgemm.
public struct Linear: Sendable {
    /// How the weight matrix is held for the GEMM.
    public enum Backend: Sendable {
        /// f32 [out, in], multiplied with OpenBLAS sgemm.
        case f32(Tensor)
    }

    public let backend: Backend
    /// Optional bias [out].
    public let bias: Tensor?
    public let inFeatures: Int
    public let outFeatures: Int

    /// Builds from a [out, in] weight of any float dtype and an optional [out] bias.
    public init(weight: Tensor, bias: Tensor? = nil) {
        precondition(weight.rank == 2, "Linear weight must be [out, in], got \(weight.shape)")
        outFeatures = weight.shape[0]
        inFeatures = weight.shape[1]
        let wide = weight.dtype == .f32 ? weight.contiguous() : weight.converted(to: .f32)
        backend = .f32(wide)
        if let bias {
            precondition(bias.count == outFeatures, "Linear bias has \(bias.count) values for \(outFeatures) outputs")
            self.bias = bias.dtype == .f32 ? bias.contiguous() : bias.converted(to: .f32)
        } else {
            self.bias = nil
        }
    }

    /// Applies the layer to x [..., in] giving [..., out].
    public func callAsFunction(_ x: Tensor) -> Tensor { Kernels.linear(x, self) }
}

extension Kernels {
    /// y = x · Wᵀ + b for x [..., in].
    public static func linear(_ x: Tensor, _ layer: Linear) -> Tensor {
        x.requireF32("linear")
        precondition(x.shape.last == layer.inFeatures, "linear: input \(x.shape) does not end in \(layer.inFeatures)")
        let rows = x.count / max(layer.inFeatures, 1)
        let n = layer.outFeatures, k = layer.inFeatures
        var outShape = x.shape
        outShape[outShape.count - 1] = n
        return Tensor(shape: outShape) { out in
            let beta: Float
            if let bias = layer.bias {
                // Seed every row with the bias and let the GEMM accumulate onto it.
                bias.withUnsafeFloats { b in
                    for r in 0..<rows { (out.baseAddress! + r * n).update(from: b.baseAddress!, count: n) }
                }
                beta = 1
            } else {
                beta = 0
            }
            switch layer.backend {
            case .f32(let weight):
                x.withUnsafeFloats { a in
                    weight.withUnsafeFloats { w in
                        BLAS.sgemm(.none, .transposed, m: rows, n: n, k: k, a: a.baseAddress!, lda: k,
                                   b: w.baseAddress!, ldb: k, beta: beta, c: out.baseAddress!, ldc: n)
                    }
                }
            }
        }
    }
}

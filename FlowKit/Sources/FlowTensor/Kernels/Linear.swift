/// A linear layer's weights, y = x · Wᵀ + b, with W stored [out, in] as in PyTorch checkpoints.
///
/// The weight sits behind `Backend`: f32 packed once for oneDNN's f32 matmul (plain f32 for OpenBLAS's sgemm
/// where oneDNN has no engine; Debian's OpenBLAS 0.3.21 has no sbgemm), or bf16 for oneDNN's bf16 GEMM when the
/// layer was made with `precision: .bf16` on a CPU with native bf16.
public struct Linear: Sendable {
    /// How the weight matrix is held for the GEMM.
    public enum Backend: Sendable {
        /// f32 [out, in], multiplied with OpenBLAS sgemm (where oneDNN is unavailable).
        case f32(Tensor)
        /// f32 held only in oneDNN's blocked layout, multiplied with oneDNN's f32 matmul.
        case f32Packed(PackedF32Weights)
        /// bf16 [out, in] (kept plain, and packed for oneDNN), multiplied with oneDNN: activations rounded to
        /// bf16, f32 accumulation and output.
        case bf16(Tensor, PackedBF16Weights)
    }

    public let backend: Backend
    /// Optional bias [out].
    public let bias: Tensor?
    public let inFeatures: Int
    public let outFeatures: Int

    /// Builds from a [out, in] weight of any float dtype and an optional [out] bias. `precision: .bf16`
    /// holds the weight in bf16 where the CPU has native bf16 (`Precision.effective`), else f32.
    public init(weight: Tensor, bias: Tensor? = nil, precision: Precision = .f32) {
        precondition(weight.rank == 2, "Linear weight must be [out, in], got \(weight.shape)")
        outFeatures = weight.shape[0]
        inFeatures = weight.shape[1]
        if precision.effective == .bf16 {
            let rounded = weight.dtype == .f32 ? weight.bf16Bits() : weight.converted(to: .f32).bf16Bits()
            backend = .bf16(rounded, PackedBF16Weights(rounded))
        } else {
            let plain = weight.dtype == .f32 ? weight.contiguous() : weight.converted(to: .f32)
            backend = PackedF32Weights(plain).map { .f32Packed($0) } ?? .f32(plain)
        }
        if let bias {
            precondition(bias.count == outFeatures, "Linear bias has \(bias.count) values for \(outFeatures) outputs")
            self.bias = bias.dtype == .f32 ? bias.contiguous() : bias.converted(to: .f32)
        } else {
            self.bias = nil
        }
    }

    /// Applies the layer to x [..., in] giving [..., out].
    public func callAsFunction(_ x: Tensor) -> Tensor { Kernels.linear(x, self) }

    /// The precision the weight is held in.
    public var precision: Precision {
        if case .bf16 = backend { return .bf16 }
        return .f32
    }

    /// The same layer at another precision (weights re-rounded from what this layer holds).
    public func at(_ precision: Precision) -> Linear {
        switch backend {
        case .f32(let w): return Linear(weight: w, bias: bias, precision: precision)
        case .f32Packed(let p): return Linear(weight: p.unpacked(), bias: bias, precision: precision)
        case .bf16(let w, _): return Linear(weight: w.converted(to: .f32), bias: bias, precision: precision)
        }
    }
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
        if case .bf16(_, let packed) = layer.backend {
            let xb = x.bf16Bits()
            return Tensor(shape: outShape) { out in
                xb.withUnsafeBF16 { a in
                    if let bias = layer.bias {
                        bias.withUnsafeFloats { packed.multiply(m: rows, a: a, bias: $0.baseAddress!, c: out.baseAddress!) }
                    } else {
                        packed.multiply(m: rows, a: a, bias: nil, c: out.baseAddress!)
                    }
                }
            }
        }
        if case .f32Packed(let packed) = layer.backend {
            return Tensor(shape: outShape) { out in
                x.withUnsafeFloats { a in
                    if let bias = layer.bias {
                        bias.withUnsafeFloats { packed.multiply(m: rows, a: a.baseAddress!, bias: $0.baseAddress!, c: out.baseAddress!) }
                    } else {
                        packed.multiply(m: rows, a: a.baseAddress!, bias: nil, c: out.baseAddress!)
                    }
                }
            }
        }
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
            case .bf16, .f32Packed:
                preconditionFailure("unreachable: bf16 and packed f32 layers return above")
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

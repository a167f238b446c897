internal import CBF16

/// A linear layer's f32 weight [out, in] held only in the blocked layout oneDNN's f32 matmul reads, packed once
/// when the model loads. OpenBLAS's sgemm packs its operands on every call, and at the denoiser's shapes (48-96
/// rows against 192x192 to 768x192 weights) packing the weight took as long as the multiply: in C, one thread,
/// 96 x 768 x 192 took 609 us in sgemm and 212 us here, 6 x 1152 x 192 (adaLN) 136 us and 22 us, with every
/// result row bit-identical for any row count (so batching calls changes no result). Immutable once made; the C
/// side locks its layout list, so it can be shared.
public final class PackedF32Weights: @unchecked Sendable {
    let handle: OpaquePointer
    let outFeatures: Int
    let inFeatures: Int

    /// nil where oneDNN has no CPU engine (the caller keeps the plain weight for OpenBLAS).
    init?(_ weight: Tensor) {
        precondition(weight.rank == 2 && weight.dtype == .f32, "packed f32 weights are [out, in] f32, got \(weight.shape) \(weight.dtype)")
        let n = weight.shape[0], k = weight.shape[1]
        guard n > 0, k > 0, let made = weight.withUnsafeFloats({ cf32_packed_create(n, k, $0.baseAddress!) }) else { return nil }
        outFeatures = n
        inFeatures = k
        handle = made
    }

    deinit { cf32_packed_destroy(handle) }

    /// The weight as [out, in].
    func unpacked() -> Tensor {
        Tensor(shape: [outFeatures, inFeatures]) { w in
            let status = cf32_packed_unpack(handle, w.baseAddress!)
            precondition(status == 0, "oneDNN could not unpack a \(outFeatures)x\(inFeatures) f32 weight (status \(status))")
        }
    }

    /// C[m×out] = A[m×in] · Wᵀ (+ bias).
    func multiply(m: Int, a: UnsafePointer<Float>, bias: UnsafePointer<Float>?, c: UnsafeMutablePointer<Float>) {
        let status = cf32_gemm_packed(m, a, handle, bias, c)
        precondition(status == 0, "oneDNN f32 GEMM \(m)x\(outFeatures)x\(inFeatures) (packed) failed with status \(status)")
    }
}

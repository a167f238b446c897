internal import CBF16

/// A linear layer's bf16 weight [out, in] in the blocked layouts oneDNN's kernels read fastest, reordered once
/// per layout (not on every call). Immutable once made; the C side locks its layout list, so it can be shared.
public final class PackedBF16Weights: @unchecked Sendable {
    let handle: OpaquePointer
    let outFeatures: Int
    let inFeatures: Int

    init(_ weight: Tensor) {
        precondition(weight.rank == 2 && weight.dtype == .bf16, "packed bf16 weights are [out, in] bf16, got \(weight.shape) \(weight.dtype)")
        outFeatures = weight.shape[0]
        inFeatures = weight.shape[1]
        let made = weight.withUnsafeBF16 { cbf16_packed_create(weight.shape[0], weight.shape[1], $0) }
        guard let made else { fatalError("out of memory packing a \(weight.shape) bf16 weight") }
        handle = made
        // Pack now, while the model loads, not in the first block: the layout oneDNN picks depends on the weight's
        // shape, not on the rows multiplied (one layout per weight, checked with ONEDNN_VERBOSE), so 64 rows do.
        let rows = 64
        let a = [UInt16](repeating: 0, count: rows * inFeatures)
        var c = [Float](repeating: 0, count: rows * outFeatures)
        a.withUnsafeBufferPointer { pa in c.withUnsafeMutableBufferPointer { multiply(m: rows, a: pa.baseAddress!, bias: nil, c: $0.baseAddress!) } }
    }

    deinit { cbf16_packed_destroy(handle) }

    /// C[m×out] = A[m×in] · Wᵀ (+ bias).
    func multiply(m: Int, a: UnsafePointer<UInt16>, bias: UnsafePointer<Float>?, c: UnsafeMutablePointer<Float>) {
        let status = cbf16_gemm_packed(m, a, handle, bias, c)
        precondition(status == 0, "oneDNN bf16 GEMM \(m)x\(outFeatures)x\(inFeatures) (packed) failed with status \(status) (\(BF16Runtime.kernelDescription))")
    }
}

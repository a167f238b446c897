extension Kernels {
    /// Batched matrix product: a [..., M, K] · b [..., K, N] → [..., M, N]. Leading (batch)
    /// dimensions must match, or b may be a plain matrix shared by every batch. Transposed views
    /// (from `transposed()`) are passed to BLAS as transposes, not copied.
    public static func matmul(_ a: Tensor, _ b: Tensor) -> Tensor {
        a.requireF32("matmul"); b.requireF32("matmul")
        precondition(a.rank >= 2 && b.rank >= 2, "matmul needs matrices, got \(a.shape) and \(b.shape)")
        let m = a.shape[a.rank - 2], k = a.shape[a.rank - 1], n = b.shape[b.rank - 1]
        precondition(b.shape[b.rank - 2] == k, "matmul: inner sizes differ in \(a.shape) · \(b.shape)")
        let batchShape = Array(a.shape.dropLast(2))
        let sharedB = b.rank == 2
        precondition(sharedB || Array(b.shape.dropLast(2)) == batchShape, "matmul: batch shapes differ in \(a.shape) · \(b.shape)")
        let batch = batchShape.reduce(1, *)
        let left = MatrixOperand(a), right = MatrixOperand(b)
        return Tensor(shape: batchShape + [m, n]) { out in
            left.tensor.withUnsafeStoragePointer { pa in
                right.tensor.withUnsafeStoragePointer { pb in
                    BLAS.sgemmStridedBatched(left.transpose, right.transpose, m: m, n: n, k: k,
                                             a: pa, lda: left.leadingDimension, strideA: left.batchStride,
                                             b: pb, ldb: right.leadingDimension, strideB: sharedB ? 0 : right.batchStride,
                                             c: out.baseAddress!, ldc: n, strideC: m * n, batchCount: batch)
                }
            }
        }
    }
}

/// A tensor described the way BLAS wants a batch of matrices: a transpose flag, a leading
/// dimension and a uniform batch stride. Falls back to a contiguous copy when strides do not fit.
struct MatrixOperand {
    let tensor: Tensor
    let transpose: BLAS.Transpose
    let leadingDimension: Int
    let batchStride: Int

    init(_ t: Tensor) {
        let r = t.rank
        let rows = t.shape[r - 2], cols = t.shape[r - 1]
        let rowStride = t.strides[r - 2], colStride = t.strides[r - 1]
        // Batch dimensions must collapse into one uniform stride.
        var batchStride = rows * cols, uniform = true
        if r > 2 {
            batchStride = t.strides[r - 3]
            var expected = batchStride
            for d in stride(from: r - 3, through: 0, by: -1) {
                if t.shape[d] != 1 && t.strides[d] != expected { uniform = false }
                expected *= t.shape[d]
            }
        }
        if uniform && (colStride == 1 || cols == 1) && rowStride >= max(cols, 1) {
            tensor = t; transpose = .none; leadingDimension = max(rowStride, 1); self.batchStride = batchStride
        } else if uniform && (rowStride == 1 || rows == 1) && colStride >= max(rows, 1) {
            tensor = t; transpose = .transposed; leadingDimension = max(colStride, 1); self.batchStride = batchStride
        } else {
            let c = t.copied()
            tensor = c; transpose = .none; leadingDimension = max(cols, 1); self.batchStride = rows * cols
        }
    }
}

extension Tensor {
    /// Pointer to this tensor's first element inside its (possibly strided) storage.
    func withUnsafeStoragePointer<R>(_ body: (UnsafePointer<Float>) throws -> R) rethrows -> R {
        requireF32("matrix operand")
        return try body(UnsafePointer(storage.bytes.assumingMemoryBound(to: Float.self) + offset))
    }
}

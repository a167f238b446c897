import COpenBLAS

/// Thin, typed wrappers over OpenBLAS's cblas (row-major throughout).
public enum BLAS {
    /// Whether an operand is used as stored or transposed.
    public enum Transpose: Sendable {
        case none, transposed
        var cblas: CBLAS_TRANSPOSE { self == .none ? CblasNoTrans : CblasTrans }
    }

    /// C[m×n] = alpha · op(A)[m×k] · op(B)[k×n] + beta · C, row-major with leading dimensions.
    @inline(__always)
    public static func sgemm(_ transA: Transpose = .none, _ transB: Transpose = .none,
                             m: Int, n: Int, k: Int, alpha: Float = 1,
                             a: UnsafePointer<Float>, lda: Int,
                             b: UnsafePointer<Float>, ldb: Int,
                             beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int) {
        if m == 0 || n == 0 { return }
        cblas_sgemm(CblasRowMajor, transA.cblas, transB.cblas, blasint(m), blasint(n), blasint(k), alpha,
                    a, blasint(lda), b, blasint(ldb), beta, c, blasint(ldc))
    }

    /// `batchCount` independent sgemms whose operands start `strideA/B/C` elements apart.
    public static func sgemmStridedBatched(_ transA: Transpose = .none, _ transB: Transpose = .none,
                                           m: Int, n: Int, k: Int, alpha: Float = 1,
                                           a: UnsafePointer<Float>, lda: Int, strideA: Int,
                                           b: UnsafePointer<Float>, ldb: Int, strideB: Int,
                                           beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int, strideC: Int,
                                           batchCount: Int) {
        for i in 0..<batchCount {
            sgemm(transA, transB, m: m, n: n, k: k, alpha: alpha,
                  a: a + i * strideA, lda: lda, b: b + i * strideB, ldb: ldb,
                  beta: beta, c: c + i * strideC, ldc: ldc)
        }
    }

    /// y = alpha · op(A) · x + beta · y for a row-major A[m×n].
    public static func sgemv(_ trans: Transpose = .none, m: Int, n: Int, alpha: Float = 1,
                             a: UnsafePointer<Float>, lda: Int, x: UnsafePointer<Float>,
                             beta: Float = 0, y: UnsafeMutablePointer<Float>) {
        cblas_sgemv(CblasRowMajor, trans.cblas, blasint(m), blasint(n), alpha, a, blasint(lda), x, 1, beta, y, 1)
    }
}

import Foundation
import FlowKit

/// The machine's f32 GEMM rate, measured in the benchmark's own run: OpenBLAS sgemm on square matrices large
/// enough to run at its peak, with the threads OpenBLAS uses for flowrun (both cores here). The f32 bound of
/// generation is this rate over the FLOPs per frame.
enum SgemmRate {
    static func measure(size n: Int = 1536, repeats: Int = 5) -> Double {
        let a = [Float](repeating: 0.5, count: n * n), b = [Float](repeating: 0.25, count: n * n)
        var c = [Float](repeating: 0, count: n * n)
        var best = Double.infinity
        for _ in 0..<repeats {
            let t0 = DispatchTime.now().uptimeNanoseconds
            a.withUnsafeBufferPointer { pa in
                b.withUnsafeBufferPointer { pb in
                    c.withUnsafeMutableBufferPointer { pc in
                        BLAS.sgemm(m: n, n: n, k: n, a: pa.baseAddress!, lda: n, b: pb.baseAddress!, ldb: n, c: pc.baseAddress!, ldc: n)
                    }
                }
            }
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
        }
        return 2 * Double(n) * Double(n) * Double(n) / best / 1e9
    }
}

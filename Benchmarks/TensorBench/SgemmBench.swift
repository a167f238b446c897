import FlowKit
import Foundation

/// Square sgemm throughput, in this process or in a child pinned to a kernel.
enum SgemmBench {
    static func gflops(size n: Int, repeats: Int) -> Double {
        let a = Tensor(shape: [n, n]) { fillRandom($0, seed: 1) }
        let b = Tensor(shape: [n, n]) { fillRandom($0, seed: 2) }
        var c = Tensor(zeros: [n, n])
        let seconds = a.withUnsafeFloats { pa in
            b.withUnsafeFloats { pb in
                c.withUnsafeMutableFloats { pc in
                    secondsPerCall(repeats: repeats) {
                        BLAS.sgemm(m: n, n: n, k: n, a: pa.baseAddress!, lda: n, b: pb.baseAddress!, ldb: n,
                                   c: pc.baseAddress!, ldc: n)
                    }
                }
            }
        }
        return 2 * Double(n) * Double(n) * Double(n) / seconds / 1e9
    }

    /// GFLOPS of one row-major sgemm shape (m×k · k×n, B optionally transposed), for ceilings.
    static func gflops(m: Int, n: Int, k: Int, transposeB: Bool, repeats: Int) -> Double {
        let a = Tensor(shape: [m, k]) { fillRandom($0, seed: 1) }
        let b = Tensor(shape: [k, n]) { fillRandom($0, seed: 2) }
        var c = Tensor(zeros: [m, n])
        let seconds = a.withUnsafeFloats { pa in
            b.withUnsafeFloats { pb in
                c.withUnsafeMutableFloats { pc in
                    secondsPerCall(repeats: repeats) {
                        BLAS.sgemm(.none, transposeB ? .transposed : .none, m: m, n: n, k: k, a: pa.baseAddress!, lda: k,
                                   b: pb.baseAddress!, ldb: transposeB ? k : n, c: pc.baseAddress!, ldc: n)
                    }
                }
            }
        }
        return 2 * Double(m * n * k) / seconds / 1e9
    }

    /// Runs this binary with `--blas-kernel kernel --sgemm-child size`; returns (loaded kernel, GFLOPS).
    /// A nil kernel means OpenBLAS's own CPU detection (no OPENBLAS_CORETYPE, no re-exec).
    static func runChild(kernel: String?, size: Int, repeats: Int, threads: Int?) -> (String, Double)? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var environment = ProcessInfo.processInfo.environment
        environment["OPENBLAS_CORETYPE"] = nil
        process.environment = environment
        var args = ["--blas-kernel", kernel ?? "keep", "--sgemm-child", String(size), "--repeats", String(repeats)]
        if let threads { args += ["--threads", String(threads)] }
        process.arguments = args
        let pipe = Pipe()
        process.standardOutput = pipe
        do { try process.run() } catch { return nil }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let parts = String(decoding: data, as: UTF8.self).split(separator: " ")
        guard parts.count == 2, let g = Double(parts[1].trimmingCharacters(in: .whitespacesAndNewlines)) else { return nil }
        return (String(parts[0]), g)
    }
}

/// Deterministic values in [-1, 1).
func fillRandom(_ p: UnsafeMutableBufferPointer<Float>, seed: UInt64) {
    var state = seed &* 0x9E3779B97F4A7C15
    for i in 0..<p.count {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        p[i] = Float(Int32(truncatingIfNeeded: state >> 32)) / Float(Int32.max)
    }
}

import FlowKit
import Dispatch

enum LinearBench {
    static func gflops(rows: Int, inFeatures: Int, outFeatures: Int, repeats: Int) -> Double {
        let layer = Linear(weight: Tensor(shape: [outFeatures, inFeatures]) { fillRandom($0, seed: 3) },
                           bias: Tensor(shape: [outFeatures]) { fillRandom($0, seed: 4) })
        let x = Tensor(shape: [rows, inFeatures]) { fillRandom($0, seed: 5) }
        var sink: Float = 0
        let seconds = secondsPerCall(repeats: repeats) { sink += layer(x)[0, 0] }
        if sink.isNaN { print("") }
        return 2 * Double(rows) * Double(inFeatures) * Double(outFeatures) / seconds / 1e9
    }
}

extension LinearBench {
    /// Aggregate GFLOPS of `callers` threads each applying its own layer at once.
    static func concurrentGFLOPS(callers: Int, rows: Int, features: Int, repeats: Int) -> Double {
        let layer = Linear(weight: Tensor(shape: [features, features]) { fillRandom($0, seed: 6) })
        let x = Tensor(shape: [rows, features]) { fillRandom($0, seed: 7) }
        let seconds = secondsPerCall(repeats: repeats) {
            DispatchQueue.concurrentPerform(iterations: callers) { _ in
                for _ in 0..<4 { _ = layer(x) }
            }
        }
        return 2 * Double(rows * features * features) * Double(callers * 4) / seconds / 1e9
    }
}

enum AttentionBench {
    /// Keys = 3 sink tokens' worth (1/8 of keys) + window + the current block (= the queries),
    /// three separate segments as the cache manager hands them over.
    /// `oneSegment` puts all keys in one segment instead, to show what the split costs.
    static func measure(heads: Int, headDim d: Int, queries: Int, keys: Int, repeats: Int, oneSegment: Bool = false)
        -> (tokensPerSecond: Double, gflops: Double) {
        let sink = keys / 8, current = min(queries, keys - sink), window = keys - sink - current
        func segment(_ n: Int, _ first: Int, _ seed: UInt64) -> KVSegment {
            KVSegment(keys: Tensor(shape: [heads, n, d]) { fillRandom($0, seed: seed) },
                      values: Tensor(shape: [heads, n, d]) { fillRandom($0, seed: seed + 1) }, firstPosition: first)
        }
        let currentStart = 10_000
        let segments = oneSegment ? [segment(keys, currentStart + current - keys, 10)]
            : [segment(sink, 0, 10), segment(window, currentStart - window, 20), segment(current, currentStart, 30)]
        let q = Tensor(shape: [heads, queries, d]) { fillRandom($0, seed: 40) }
        var sinkValue: Float = 0
        let seconds = secondsPerCall(repeats: repeats) {
            sinkValue += Kernels.attention(query: q, segments: segments, queryFirstPosition: currentStart,
                                           mask: .blockCausal(blockSize: queries))[0, 0, 0]
        }
        if sinkValue.isNaN { print("") }
        let flops = 4 * Double(heads) * Double(queries) * Double(keys) * Double(d)
        return (Double(queries) / seconds, flops / seconds / 1e9)
    }
}

enum TileGEMMBench {
    /// Aggregate GFLOPS of `lanes` threads each running attention's two tile GEMMs back to back,
    /// q·kᵀ (rows×cols×d) then p·v (rows×d×cols), on its own operands: the shapes and concurrency
    /// tiled attention actually runs, so the ceiling its softmax and bookkeeping are measured against.
    static func gflops(lanes: Int, rows: Int, cols: Int, d: Int, repeats: Int) -> Double {
        let q = Tensor(shape: [lanes, rows, d]) { fillRandom($0, seed: 11) }
        let k = Tensor(shape: [lanes, cols, d]) { fillRandom($0, seed: 12) }
        let v = Tensor(shape: [lanes, cols, d]) { fillRandom($0, seed: 13) }
        let calls = 16
        let seconds = secondsPerCall(repeats: repeats) {
            DispatchQueue.concurrentPerform(iterations: lanes) { lane in
                var s = [Float](repeating: 0, count: rows * cols), o = [Float](repeating: 0, count: rows * d)
                q.withUnsafeFloats { qp in
                    k.withUnsafeFloats { kp in
                        v.withUnsafeFloats { vp in
                            for _ in 0..<calls {
                                BLAS.sgemm(.none, .transposed, m: rows, n: cols, k: d, a: qp.baseAddress! + lane * rows * d, lda: d,
                                           b: kp.baseAddress! + lane * cols * d, ldb: d, c: &s, ldc: cols)
                                BLAS.sgemm(m: rows, n: d, k: cols, a: s, lda: cols, b: vp.baseAddress! + lane * cols * d, ldb: d,
                                           beta: 1, c: &o, ldc: d)
                            }
                        }
                    }
                }
            }
        }
        return 4 * Double(rows * cols * d) * Double(lanes * calls) / seconds / 1e9
    }
}

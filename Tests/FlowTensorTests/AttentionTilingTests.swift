import XCTest
import FlowKit
import FlowTestSupport

/// Attention over hundreds of queries and keys (many query and key tiles, and parallel workers),
/// checked against a plain softmax(q·kᵀ/√d + mask)·v built from the golden-tested matmul and
/// softmax kernels. Both sides round in float32, so the bounds count two evaluations.
final class AttentionTilingTests: XCTestCase {
    func random(_ shape: [Int], seed: UInt64) -> Tensor {
        var rng = SplitMix64(seed: seed)
        return Tensor(shape: shape) { p in
            for i in 0..<p.count { p[i] = Float(Double(rng.next() >> 11) / Double(1 << 53) * 2 - 1) }
        }
    }

    /// The reference: full score matrix, -inf where masked, row softmax, times values. Keys sit at
    /// positions 0..<tk in order, so every mask hides a suffix of each row.
    func reference(q: Tensor, k: Tensor, v: Tensor, queryFirstPosition: Int, mask: AttentionMask) -> Tensor {
        let d = Float(q.size(-1))
        var scores = Kernels.scale(Kernels.matmul(q, k.transposed()), by: 1 / d.squareRoot())
        let tq = q.size(1), tk = k.size(1)
        scores.withUnsafeMutableFloats { s in
            for h in 0..<q.size(0) {
                for i in 0..<tq {
                    let qp = queryFirstPosition + i
                    let visible: Int
                    switch mask {
                    case .none: visible = tk
                    case .causal: visible = min(tk, qp + 1)
                    case .blockCausal(let b): visible = min(tk, (qp / b + 1) * b)
                    }
                    let row = s.baseAddress! + (h * tq + i) * tk
                    if visible < tk { (row + visible).update(repeating: -.infinity, count: tk - visible) }
                }
            }
        }
        return Kernels.matmul(Kernels.softmax(scores), v)
    }

    /// The attention bound (KernelTolerances.swift) with M_i from the reference run on |v|.
    func bound(q: Tensor, k: Tensor, v: Tensor, queryFirstPosition: Int, mask: AttentionMask) -> Tolerance {
        .attention(query: q, keys: [k], valueMagnitudes: reference(q: q, k: k, v: v.absolute, queryFirstPosition: queryFirstPosition, mask: mask),
                   evaluations: 2)
    }

    func testManyTilesAndSegmentsAgree() {
        let heads = 1, d = 8, tq = 257, tk = 522
        let q = random([heads, tq, d], seed: 1), k = random([heads, tk, d], seed: 2), v = random([heads, tk, d], seed: 3)
        // Keys at positions 0..<tk; queries are the last tq of them.
        let firstQuery = tk - tq
        for mask in [AttentionMask.causal, .blockCausal(blockSize: 100)] {
            let expected = reference(q: q, k: k, v: v, queryFirstPosition: firstQuery, mask: mask)
            let tolerance = bound(q: q, k: k, v: v, queryFirstPosition: firstQuery, mask: mask)
            let whole = Kernels.attention(query: q, segments: [KVSegment(keys: k, values: v, firstPosition: 0)],
                                          queryFirstPosition: firstQuery, mask: mask)
            assertWithin(whole, expected, tolerance, "one segment, mask \(mask)")
            // The same keys as three views of the one cache (sink, window, current block).
            let cuts = [0, 7, 516, tk]
            let segments = (0..<3).map { i in
                KVSegment(keys: k.slice(dim: 1, cuts[i]..<cuts[i + 1]), values: v.slice(dim: 1, cuts[i]..<cuts[i + 1]),
                          firstPosition: cuts[i])
            }
            let split = Kernels.attention(query: q, segments: segments, queryFirstPosition: firstQuery, mask: mask)
            assertWithin(split, expected, tolerance, "three segments, mask \(mask)")
            if mask == .causal {
                let parallel = Kernels.attention(query: q, segments: segments, queryFirstPosition: firstQuery, mask: mask, parallelism: 3)
                assertWithin(parallel, expected, tolerance, "parallel, mask \(mask)")
            }
        }
    }

    func testSingleThreadedBLASUsesLargeTilesWithTheSameResult() {
        // With one OpenBLAS thread attention switches to large tiles; results must not change.
        let saved = BLASRuntime.threads
        defer { BLASRuntime.setThreads(saved) }
        BLASRuntime.setThreads(1)
        let q = random([2, 300, 8], seed: 11), k = random([2, 600, 8], seed: 12), v = random([2, 600, 8], seed: 13)
        let expected = reference(q: q, k: k, v: v, queryFirstPosition: 300, mask: .causal)
        let tolerance = bound(q: q, k: k, v: v, queryFirstPosition: 300, mask: .causal)
        let segments = [KVSegment(keys: k.slice(dim: 1, 0..<5), values: v.slice(dim: 1, 0..<5), firstPosition: 0),
                        KVSegment(keys: k.slice(dim: 1, 5..<600), values: v.slice(dim: 1, 5..<600), firstPosition: 5)]
        for lanes in [1, 2] {
            let y = Kernels.attention(query: q, segments: segments, queryFirstPosition: 300, mask: .causal, parallelism: lanes)
            assertWithin(y, expected, tolerance, "single-threaded BLAS, \(lanes) lane(s)")
        }
    }

    func testQueryThatSeesNothingGetsZeros() {
        // Causal: the query at position 0 sees no key at positions 5...
        let q = random([1, 2, 8], seed: 4), k = random([1, 3, 8], seed: 5), v = random([1, 3, 8], seed: 6)
        let y = Kernels.attention(query: q, segments: [KVSegment(keys: k, values: v, firstPosition: 5)],
                                  queryFirstPosition: 0, mask: .causal)
        XCTAssertEqual(y.toArray(), [Float](repeating: 0, count: 16))
    }

    func testGroupedQueryHeadsShareKVHeads() {
        let q = random([4, 5, 8], seed: 7), k = random([2, 6, 8], seed: 8), v = random([2, 6, 8], seed: 9)
        let y = Kernels.attention(query: q, segments: [KVSegment(keys: k, values: v, firstPosition: 0)])
        // Expand kv heads to query heads by hand and compare.
        let k4 = Tensor.concatenate([k.slice(dim: 0, 0..<1), k.slice(dim: 0, 0..<1), k.slice(dim: 0, 1..<2), k.slice(dim: 0, 1..<2)], dim: 0)
        let v4 = Tensor.concatenate([v.slice(dim: 0, 0..<1), v.slice(dim: 0, 0..<1), v.slice(dim: 0, 1..<2), v.slice(dim: 0, 1..<2)], dim: 0)
        assertWithin(y, reference(q: q, k: k4, v: v4, queryFirstPosition: 0, mask: .none),
                     bound(q: q, k: k4, v: v4, queryFirstPosition: 0, mask: .none), "grouped-query attention")
    }
}

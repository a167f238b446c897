import XCTest
import Dispatch
import Synchronization
import FlowKit
import FlowTestSupport

/// Same inputs, same bits, however the work is scheduled. A `--sequential` run gives OpenBLAS every
/// core, so attention runs its (head, query tile) units on Dispatch workers that call sgemm at the
/// same time, and large GEMMs use OpenBLAS's own threads; pipelined runs call OpenBLAS from several
/// nodes at once. None of that may change a result.
final class KernelRepeatabilityTests: XCTestCase {
    func random(_ shape: [Int], seed: UInt64) -> Tensor {
        var rng = SplitMix64(seed: seed)
        return Tensor(shape: shape) { p in
            for i in 0..<p.count { p[i] = Float(Double(rng.next() >> 11) / Double(1 << 53) * 2 - 1) }
        }
    }

    func withBLASThreads(_ n: Int, _ body: () throws -> Void) rethrows {
        let saved = BLASRuntime.threads
        defer { BLASRuntime.setThreads(saved) }
        BLASRuntime.setThreads(n)
        try body()
    }

    /// world-tiny's denoiser shapes: 3 heads of 64, a 48-token block against sink + window + block.
    func testAttentionIsBitwiseRepeatableWithParallelWorkers() {
        withBLASThreads(2) {
            let q = random([3, 48, 64], seed: 1), k = random([3, 192, 64], seed: 2), v = random([3, 192, 64], seed: 3)
            let cuts = [0, 48, 144, 192]
            let segments = (0..<3).map { i in
                KVSegment(keys: k.slice(dim: 1, cuts[i]..<cuts[i + 1]), values: v.slice(dim: 1, cuts[i]..<cuts[i + 1]), firstPosition: cuts[i])
            }
            func attend(_ lanes: Int?) -> [Float] {
                Kernels.attention(query: q, segments: segments, queryFirstPosition: 144, mask: .blockCausal(blockSize: 48), parallelism: lanes).toArray()
            }
            let reference = attend(1)
            for lanes in [nil, 2, 3] {
                for round in 0..<20 {
                    XCTAssertEqual(attend(lanes), reference, "parallelism \(lanes.map(String.init) ?? "default"), round \(round)")
                }
            }
        }
    }

    /// A GEMM big enough for OpenBLAS's threads, alone and from two callers at once.
    func testLinearIsBitwiseRepeatableWithBLASThreadsAndConcurrentCallers() {
        withBLASThreads(2) {
            let x = random([144, 192], seed: 4), layer = Linear(weight: random([768, 192], seed: 5), bias: random([768], seed: 6))
            let reference = layer(x).toArray()
            for round in 0..<10 { XCTAssertEqual(layer(x).toArray(), reference, "round \(round)") }
            let mismatches = Mutex(0)
            DispatchQueue.concurrentPerform(iterations: 2) { _ in
                for _ in 0..<10 where layer(x).toArray() != reference { mismatches.withLock { $0 += 1 } }
            }
            XCTAssertEqual(mismatches.withLock { $0 }, 0, "concurrent callers with 2 OpenBLAS threads")
        }
    }
}

import XCTest
import FlowKit
@testable import CacheNodes

/// Policies of the K/V store on synthetic frames: 2 layers, 2 heads, 16 tokens, head_dim 8.
final class CachePolicyTests: XCTestCase {
    static func frame(_ position: Int, seed: Int = 0, generation: Int = 0) -> KVFrame {
        func t(_ salt: Int) -> Tensor {
            var state = UInt64(position * 7919 + seed * 104_729 + salt * 1_299_709 + 1)
            return Tensor(shape: [2, 16, 8]) { out in
                for i in 0..<out.count {
                    state = state &* 6364136223846793005 &+ 1442695040888963407
                    out[i] = Float(Int(state >> 40) % 2001 - 1000) / 500
                }
            }
        }
        return KVFrame(position: position, keys: [t(0), t(1)], values: [t(2), t(3)],
                       latent: Tensor(shape: [16, 8, 8], repeating: Float(position)), promptGeneration: generation)
    }

    static func block(_ b: Int, seed: Int = 0) -> [KVFrame] { (0..<3).map { frame(3 * b + $0, seed: seed) } }

    func testWindowSlidesPastTheSinkInOrder() throws {
        var store = KVStore(policy: CachePolicy(sinkFrames: 3, windowFrames: 9))
        var evicted: [Int] = []
        for b in 0..<5 {
            let out = try store.append(Self.block(b), blockFrames: 3)
            XCTAssertTrue(out.allSatisfy { $0.reason == .window })
            evicted += out.map(\.frame.position)
            XCTAssertEqual(store.sinkPositions, b == 0 ? [0, 1, 2] : [0, 1, 2], "the sink stays")
            // The next block sees the 6 newest non-sink frames.
            let expectedWindow = Array(max(3, 3 * (b + 1) - 6)..<(3 * (b + 1)))
            XCTAssertEqual(store.windowPositions, expectedWindow, "after block \(b)")
        }
        XCTAssertEqual(evicted, [3, 4, 5, 6, 7, 8], "oldest first")
        XCTAssertEqual(store.context(block: 5).frames.map(\.position), [0, 1, 2, 9, 10, 11, 12, 13, 14])
        XCTAssertEqual(store.stats.evictions, 6)
    }

    func testEvictionsCarryTheFramesKV() throws {
        var store = KVStore(policy: CachePolicy(sinkFrames: 3, windowFrames: 9))
        for b in 0..<3 { _ = try store.append(Self.block(b), blockFrames: 3) }
        let out = try store.append(Self.block(3), blockFrames: 3)
        XCTAssertEqual(out.map(\.frame.position), [3, 4, 5])
        XCTAssertEqual(out.map(\.sequence), [1, 2, 3])
        XCTAssertEqual(maxAbsDifference(out[0].frame.keys[1], Self.frame(3).keys[1]), 0)
        XCTAssertEqual(out[0].frame.latent?[0, 0, 0], 3)
    }

    func testEMASinkFoldsEvictedFramesIntoTheSink() throws {
        let alpha: Float = 0.9
        var store = KVStore(policy: CachePolicy(sinkFrames: 3, windowFrames: 9, emaSink: true, emaAlpha: alpha))
        for b in 0..<3 { _ = try store.append(Self.block(b), blockFrames: 3) }
        let before = store.context(block: 3).sink
        let out = try store.append(Self.block(3), blockFrames: 3)
        XCTAssertEqual(out.map(\.reason), [.mergedIntoSink, .mergedIntoSink, .mergedIntoSink])
        XCTAssertEqual(store.stats.emaUpdates, 1)
        let after = store.context(block: 4).sink
        XCTAssertEqual(after.map(\.position), [0, 1, 2], "the sink keeps its positions")
        for j in 0..<3 {
            for l in 0..<2 {
                let expectedK = KVStore.blend(before[j].keys[l], Self.frame(3 + j).keys[l], alpha)
                let expectedV = KVStore.blend(before[j].values[l], Self.frame(3 + j).values[l], alpha)
                XCTAssertLessThan(maxAbsDifference(after[j].keys[l], expectedK), 1e-6)
                XCTAssertLessThan(maxAbsDifference(after[j].values[l], expectedV), 1e-6)
                XCTAssertGreaterThan(maxAbsDifference(after[j].keys[l], before[j].keys[l]), 1e-3, "the sink moved")
            }
        }
    }

    func testQuantizedStorageSavesMemoryWithBoundedError() throws {
        var plain = KVStore(policy: CachePolicy(precision: .f32))
        var int8 = KVStore(policy: CachePolicy(precision: .int8))
        var int4 = KVStore(policy: CachePolicy(precision: .int4))
        for b in 0..<3 {
            _ = try plain.append(Self.block(b), blockFrames: 3)
            _ = try int8.append(Self.block(b), blockFrames: 3)
            _ = try int4.append(Self.block(b), blockFrames: 3)
        }
        XCTAssertEqual(plain.bytes, plain.f32Bytes)
        // int8: 1 byte per value + a 4-byte scale per 8-value row; 4-bit: half a byte + a 4-byte scale per 32.
        let values = plain.bytes / 4
        XCTAssertEqual(int8.bytes, values + values / 8 * 4)
        XCTAssertEqual(int4.bytes, values / 2 + values / 32 * 4)
        // Values lie in [-2, 2]: the rounding error is at most half a step of max|x| / 127 (int8), / 7 (4-bit).
        XCTAssertLessThanOrEqual(int8.quantizationMaxAbsError, 2 / 127 / 2 + 1e-6)
        XCTAssertLessThanOrEqual(int4.quantizationMaxAbsError, 2 / 7 / 2 + 1e-6)
        XCTAssertGreaterThan(int8.quantizationMaxAbsError, 0)
        XCTAssertLessThan(int8.quantizationRelativeRMSError, 0.01)
        XCTAssertLessThan(int4.quantizationRelativeRMSError, 0.15)
        // What the attention sees is the dequantized value, within the same bound.
        let got = int8.context(block: 3).frames[4].keys[0]
        XCTAssertLessThanOrEqual(maxAbsDifference(got, Self.frame(4).keys[0]), 2 / 127 / 2 + 1e-6)
    }

    func testByteBudgetEvictsTheOldestWindowFramesFirst() throws {
        let perFrame = Self.frame(0).f32Bytes
        var store = KVStore(policy: CachePolicy(sinkFrames: 3, windowFrames: 9, budgetBytes: 7 * perFrame))
        var reasons: [(Int, KVEviction.Reason)] = []
        for b in 0..<4 {
            reasons += try store.append(Self.block(b), blockFrames: 3).map { ($0.frame.position, $0.reason) }
            XCTAssertLessThanOrEqual(store.bytes, 7 * perFrame)
            XCTAssertEqual(store.sinkPositions, [0, 1, 2])
        }
        XCTAssertEqual(store.windowPositions, [8, 9, 10, 11], "the newest frames stay")
        // Block 2 brings 9 frames (2 over): 3, 4 go. Block 3 slides 5 out of the window, then 6, 7 go for the budget.
        XCTAssertEqual(reasons.filter { $0.1 == .budget }.map(\.0), [3, 4, 6, 7])
        XCTAssertEqual(reasons.filter { $0.1 == .window }.map(\.0), [5])
        XCTAssertGreaterThan(store.stats.budgetEvictions, 0)
        XCTAssertLessThanOrEqual(store.stats.peakBytes, 7 * perFrame)

        var tiny = KVStore(policy: CachePolicy(sinkFrames: 3, windowFrames: 9, budgetBytes: 2 * perFrame))
        XCTAssertThrowsError(try tiny.append(Self.block(0), blockFrames: 3), "a sink over budget is an error")
    }

    func testRecacheReplacesExactlyTheWindow() throws {
        var store = KVStore(policy: CachePolicy(sinkFrames: 3, windowFrames: 9))
        for b in 0..<4 { _ = try store.append(Self.block(b), blockFrames: 3) }
        let before = store.context(block: 4)
        XCTAssertEqual(before.window.map(\.position), [6, 7, 8, 9, 10, 11])
        let fresh = before.window.map { Self.frame($0.position, seed: 99, generation: 1) }
        try store.recache(fresh, seconds: 0.01)
        let after = store.context(block: 4)
        for (a, b) in zip(after.sink, before.sink) {
            XCTAssertEqual(maxAbsDifference(a.keys[0], b.keys[0]), 0, "the sink keeps the old prompt's K/V")
            XCTAssertEqual(a.promptGeneration, 0)
        }
        for (a, f) in zip(after.window, fresh) {
            XCTAssertEqual(a.position, f.position)
            XCTAssertEqual(maxAbsDifference(a.values[1], f.values[1]), 0)
            XCTAssertEqual(a.promptGeneration, 1)
        }
        XCTAssertEqual(store.stats.recachePasses, 1)
        XCTAssertEqual(store.stats.recacheFrames, 6)
        XCTAssertThrowsError(try store.recache(Array(fresh.dropFirst()), seconds: 0), "a partial window is refused")
        XCTAssertThrowsError(try store.recache(fresh + [Self.frame(1)], seconds: 0), "touching the sink is refused")
    }

    func testNodeRepliesWithTheNextContextAndEvictions() throws {
        let h = try NodeHarness(CacheManagerNode.self, params: ["window": .int(9), "sink": .int(3), "quantize": .string("int8")])
        for b in 0..<4 {
            try h.feed("update", position: b, KVUpdate(kind: .append, frames: Self.block(b), block: b, blockFrames: 3))
        }
        let contexts = try h.payloads("context", as: KVContext.self)
        XCTAssertEqual(contexts.map(\.block), [1, 2, 3, 4])
        XCTAssertEqual(contexts.last?.frames.map(\.position), [0, 1, 2, 6, 7, 8, 9, 10, 11])
        XCTAssertTrue(contexts.allSatisfy(\.recacheOnSwitch))
        XCTAssertEqual(try h.payloads("evicted", as: KVEviction.self).map(\.frame.position), [3, 4, 5])
        try h.finish()
        XCTAssertTrue(h.logLines.last?.contains("int8 storage saves") ?? false, h.logLines.joined())
    }
}

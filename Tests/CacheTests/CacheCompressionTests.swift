import XCTest
import FlowKit
@testable import CacheNodes

/// `compress: attention` (Deep Forcing's participative compression) on synthetic frames: 2 layers, 2 heads,
/// 16 tokens, head_dim 8 (CachePolicyTests.frame), with attention reports made up by the test.
final class CacheCompressionTests: XCTestCase {
    typealias P = CachePolicyTests

    /// A report on one frame: mass[l][h][t] = `value(l, h, t)`.
    static func mass(layers: Int = 2, heads: Int = 2, tokens: Int = 16, _ value: (Int, Int, Int) -> Float) -> Tensor {
        Tensor(shape: [layers, heads, tokens], values: (0..<layers).flatMap { l in (0..<heads).flatMap { h in (0..<tokens).map { value(l, h, $0) } } })
    }

    /// A distinct ranking per layer and head: (t * odd) mod 16 is a permutation of 0..<16.
    static func ranking(_ l: Int, _ h: Int, _ t: Int) -> Float { Float((t * (5 + 2 * h + 2 * l)) % 16) }

    static func reports(_ positions: [Int], _ value: @escaping (Int, Int, Int) -> Float = ranking) -> [Int: Tensor] {
        Dictionary(uniqueKeysWithValues: positions.map { ($0, mass(value)) })
    }

    func testEachHeadKeepsItsMostAttendedTokensInOrder() throws {
        var store = KVStore(policy: CachePolicy(sinkFrames: 3, windowFrames: 9, compression: KVCompression(keep: 0.5)))
        _ = try store.append(P.block(0), blockFrames: 3)
        XCTAssertTrue(store.context(block: 1).measureAttention)
        _ = try store.append(P.block(1), blockFrames: 3, attentionMass: Self.reports([0, 1, 2]))
        let ctx = store.context(block: 2)
        XCTAssertEqual(store.tokensPerFrame, [0: 8, 1: 8, 2: 8, 3: 16, 4: 16, 5: 16], "the sink compressed, the new block not yet")
        for (j, frame) in ctx.sink.enumerated() {
            let original = P.frame(j)
            for l in 0..<2 {
                XCTAssertEqual(frame.keys[l].shape, [2, 8, 8])
                XCTAssertEqual(frame.values[l].shape, [2, 8, 8])
                for h in 0..<2 {
                    // The 8 of highest rank (values 8...15), in token order.
                    let kept = (0..<16).filter { Self.ranking(l, h, $0) >= 8 }
                    XCTAssertEqual(kept.count, 8)
                    for (i, t) in kept.enumerated() {
                        for d in 0..<8 {
                            XCTAssertEqual(frame.keys[l][h, i, d], original.keys[l][h, t, d], "frame \(j) layer \(l) head \(h) token \(t)")
                            XCTAssertEqual(frame.values[l][h, i, d], original.values[l][h, t, d])
                        }
                    }
                }
            }
        }
        for (frame, position) in zip(ctx.window, 3...5) {
            XCTAssertEqual(maxAbsDifference(frame.keys[1], P.frame(position).keys[1]), 0, "unobserved frames are kept whole")
        }
        // The heads keep different tokens; attention only needs the same count.
        XCTAssertNotEqual((0..<16).filter { Self.ranking(0, 0, $0) >= 8 }, (0..<16).filter { Self.ranking(0, 1, $0) >= 8 })
    }

    func testTiesGoToTheLowerTokenIndex() throws {
        var store = KVStore(policy: CachePolicy(sinkFrames: 3, windowFrames: 9, compression: KVCompression(keep: 0.25)))
        _ = try store.append(P.block(0), blockFrames: 3)
        // Tokens 12...15 get more, everything else ties: 4 kept = the top 4.
        // Frame 1: all tie: tokens 0...3. Frame 2: token 9 above, the rest tie: 9, then 0, 1, 2.
        let masses: [Int: Tensor] = [0: Self.mass { _, _, t in t >= 12 ? 1 : 0.5 },
                                     1: Self.mass { _, _, _ in 0.25 },
                                     2: Self.mass { _, _, t in t == 9 ? 2 : 1 }]
        _ = try store.append(P.block(1), blockFrames: 3, attentionMass: masses)
        let sink = store.context(block: 2).sink
        for (j, expected) in [[12, 13, 14, 15], [0, 1, 2, 3], [0, 1, 2, 9]].enumerated() {
            XCTAssertEqual(sink[j].keys[0].shape, [2, 4, 8])
            for (i, t) in expected.enumerated() {
                XCTAssertEqual(sink[j].keys[1][1, i, 3], P.frame(j).keys[1][1, t, 3], "frame \(j) keeps token \(t) at \(i)")
            }
        }
    }

    func testKeptTokensRoundUp() {
        XCTAssertEqual(KVCompression(keep: 0.5).keptTokens(16), 8)
        XCTAssertEqual(KVCompression(keep: 0.3).keptTokens(10), 3, "0.3 * 10 is 3, not 3.0000000000000004 rounded up")
        XCTAssertEqual(KVCompression(keep: 0.3).keptTokens(16), 5)
        XCTAssertEqual(KVCompression(keep: 0.01).keptTokens(16), 1, "at least one token")
        XCTAssertEqual(KVCompression(keep: 1).keptTokens(16), 16)
    }

    func testByteCountsAndStats() throws {
        var store = KVStore(policy: CachePolicy(sinkFrames: 3, windowFrames: 9, compression: KVCompression(keep: 0.5)))
        let full = P.frame(0).f32Bytes
        _ = try store.append(P.block(0), blockFrames: 3)
        XCTAssertEqual(store.bytes, 3 * full)
        _ = try store.append(P.block(1), blockFrames: 3, attentionMass: Self.reports([0, 1, 2]))
        XCTAssertEqual(store.bytes, 3 * full / 2 + 3 * full, "3 frames at half size, 3 whole")
        XCTAssertEqual(store.f32Bytes, 6 * full)
        XCTAssertEqual(store.uncompressedBytes, 6 * full)
        _ = try store.append(P.block(2), blockFrames: 3, attentionMass: Self.reports([0, 1, 2, 3, 4, 5]))
        XCTAssertEqual(store.windowPositions, [3, 4, 5, 6, 7, 8])
        XCTAssertEqual(store.bytes, 6 * full / 2 + 3 * full)
        let s = store.stats
        XCTAssertEqual(s.compressedFrames, 6)
        XCTAssertEqual(s.compressedTokensSeen, 6 * 16)
        XCTAssertEqual(s.compressedTokensKept, 6 * 8)
        XCTAssertEqual(s.compressionBytesSaved, 6 * full / 2)
        XCTAssertEqual(s.attentionReports, 3 + 6, "frame 0-2 reported twice; the second report on a compressed frame is ignored")
        XCTAssertEqual(s.peakBytes, 6 * full / 2 + 3 * full)
        XCTAssertEqual(s.peakUncompressedBytes, 9 * full)
        XCTAssertEqual(s.peakF32Bytes, 9 * full)
    }

    func testObserveWaitsForThatManyBlocksAndSumsTheirMass() throws {
        var store = KVStore(policy: CachePolicy(sinkFrames: 3, windowFrames: 9, compression: KVCompression(keep: 0.25, observe: 2)))
        _ = try store.append(P.block(0), blockFrames: 3)
        // First report: tokens 0...3 high (4 each), 4...7 middle (3). Second: 4...7 get 2 more, 8 gets 6.
        // Sums: 0...3 -> 4, 4...7 -> 5, 8 -> 6: the top 4 are 8 and three of 4...7 (5 each: the lowest, 4, 5, 6).
        let first = Self.mass { _, _, t in t < 4 ? 4 : (t < 8 ? 3 : 0) }
        let second = Self.mass { _, _, t in (4..<8).contains(t) ? 2 : (t == 8 ? 6 : 0) }
        _ = try store.append(P.block(1), blockFrames: 3, attentionMass: [0: first])
        XCTAssertEqual(store.tokensPerFrame[0], 16, "one report of two: not yet")
        XCTAssertEqual(store.stats.compressedFrames, 0)
        _ = try store.append(P.block(2), blockFrames: 3, attentionMass: [0: second])
        XCTAssertEqual(store.tokensPerFrame[0], 4)
        XCTAssertEqual(store.tokensPerFrame[1], 16, "frame 1 was never reported")
        let keys = store.context(block: 3).sink[0].keys[0]
        for (i, t) in [4, 5, 6, 8].enumerated() { XCTAssertEqual(keys[0, i, 0], P.frame(0).keys[0][0, t, 0]) }
    }

    func testKeepOneLeavesEveryTensorBitForBit() throws {
        for precision in KVPrecision.allCases {
            var plain = KVStore(policy: CachePolicy(sinkFrames: 3, windowFrames: 9, precision: precision))
            var kept = KVStore(policy: CachePolicy(sinkFrames: 3, windowFrames: 9, precision: precision, compression: KVCompression(keep: 1)))
            for b in 0..<4 {
                let visible = kept.context(block: b).frames.map(\.position)
                _ = try plain.append(P.block(b), blockFrames: 3)
                _ = try kept.append(P.block(b), blockFrames: 3, attentionMass: Self.reports(visible))
            }
            XCTAssertEqual(kept.stats.compressedFrames, 9)
            XCTAssertEqual(kept.bytes, plain.bytes)
            for (a, b) in zip(plain.context(block: 4).frames, kept.context(block: 4).frames) {
                for l in 0..<2 {
                    XCTAssertEqual(a.keys[l].toArray(), b.keys[l].toArray(), "\(precision)")
                    XCTAssertEqual(a.values[l].toArray(), b.values[l].toArray(), "\(precision)")
                }
            }
        }
    }

    /// Quantized storage after compression: int8 rows and 4-bit blocks still fit, also for a kept count whose
    /// tensor size 32 does not divide (keep 0.3: 5 tokens, 2 * 5 * 8 = 80 values: 4-bit blocks of 16).
    func testQuantizedStorageOfCompressedFrames() throws {
        for keep in [0.5, 0.3] {
            for precision in [KVPrecision.int8, .int4] {
                var plain = KVStore(policy: CachePolicy(sinkFrames: 3, windowFrames: 9, compression: KVCompression(keep: keep)))
                var store = KVStore(policy: CachePolicy(sinkFrames: 3, windowFrames: 9, precision: precision,
                                                        compression: KVCompression(keep: keep)))
                _ = try plain.append(P.block(0), blockFrames: 3)
                _ = try store.append(P.block(0), blockFrames: 3)
                _ = try plain.append(P.block(1), blockFrames: 3, attentionMass: Self.reports([0, 1, 2]))
                _ = try store.append(P.block(1), blockFrames: 3, attentionMass: Self.reports([0, 1, 2]))
                let m = KVCompression(keep: keep).keptTokens(16)
                let a = plain.context(block: 2).sink[1], b = store.context(block: 2).sink[1]
                XCTAssertEqual(b.keys[0].shape, [2, m, 8])
                // int8 keeps one scale per (head, token) row, so the kept rows re-quantize as they were: half a step.
                // 4-bit blocks of 32 values span 4 tokens of head_dim 8: the kept tokens form new blocks, re-quantized
                // from their dequantized values, so two roundings: up to one step of max|x| / 7.
                let bound: Float = precision == .int8 ? 2 / 127 / 2 + 1e-6 : 2 / 7 + 1e-6
                XCTAssertLessThanOrEqual(maxAbsDifference(a.values[1], b.values[1]), bound, "\(precision) keep \(keep)")
                XCTAssertLessThan(store.bytes, plain.bytes)
                XCTAssertLessThan(store.bytes, store.uncompressedBytes)
                XCTAssertLessThanOrEqual(store.quantizationMaxAbsError, bound)
            }
        }
        XCTAssertEqual(KVPrecision.int4BlockSize(count: 80), 16)
        XCTAssertEqual(KVPrecision.int4BlockSize(count: 256), 32)
    }

    /// With head_dim a multiple of 32 (world-tiny: 64) every 4-bit block lies within one token's row, so a
    /// compressed frame holds exactly the stored values of the tokens it keeps.
    func testFourBitBlocksWithinARowCompressWithoutASecondRounding() throws {
        func frame(_ position: Int) -> KVFrame {
            func t(_ salt: Int) -> Tensor {
                Tensor(shape: [2, 16, 32]) { out in for i in 0..<out.count { out[i] = Float((i * 37 + salt * 11 + position * 5) % 97) / 24 - 2 } }
            }
            return KVFrame(position: position, keys: [t(0), t(1)], values: [t(2), t(3)], latent: nil, promptGeneration: 0)
        }
        var store = KVStore(policy: CachePolicy(sinkFrames: 3, windowFrames: 9, precision: .int4, compression: KVCompression(keep: 0.25)))
        _ = try store.append((0..<3).map(frame), blockFrames: 3)
        let before = store.context(block: 1).sink[2]
        _ = try store.append((3..<6).map(frame), blockFrames: 3, attentionMass: Self.reports([0, 1, 2]))
        let after = store.context(block: 2).sink[2]
        for l in 0..<2 {
            for h in 0..<2 {
                for (i, t) in (0..<16).filter({ Self.ranking(l, h, $0) >= 12 }).enumerated() {
                    for d in 0..<32 { XCTAssertEqual(after.keys[l][h, i, d], before.keys[l][h, t, d], accuracy: 1e-6) }
                }
            }
        }
        XCTAssertLessThan(store.quantizationMaxAbsError, 2 / 7 / 2 + 1e-6)
    }

    func testRecachedFramesComeBackWholeAndCompressAgain() throws {
        var store = KVStore(policy: CachePolicy(sinkFrames: 3, windowFrames: 9, compression: KVCompression(keep: 0.5)))
        _ = try store.append(P.block(0), blockFrames: 3)
        _ = try store.append(P.block(1), blockFrames: 3, attentionMass: Self.reports([0, 1, 2]))
        _ = try store.append(P.block(2), blockFrames: 3, attentionMass: Self.reports([0, 1, 2, 3, 4, 5]))
        XCTAssertEqual(store.tokensPerFrame, [0: 8, 1: 8, 2: 8, 3: 8, 4: 8, 5: 8, 6: 16, 7: 16, 8: 16])
        try store.recache(store.context(block: 3).window.map { P.frame($0.position, seed: 5, generation: 1) }, seconds: 0)
        XCTAssertEqual(store.tokensPerFrame, [0: 8, 1: 8, 2: 8, 3: 16, 4: 16, 5: 16, 6: 16, 7: 16, 8: 16], "the window at full size, the sink as it was")
        XCTAssertTrue(store.context(block: 3).measureAttention)
        _ = try store.append(P.block(3), blockFrames: 3, attentionMass: Self.reports([0, 1, 2, 3, 4, 5, 6, 7, 8]))
        XCTAssertEqual(store.tokensPerFrame, [0: 8, 1: 8, 2: 8, 6: 8, 7: 8, 8: 8, 9: 16, 10: 16, 11: 16])
    }

    func testMeasureAttentionOnlyWhileSomethingWaitsForCompression() throws {
        var plain = KVStore(policy: CachePolicy(sinkFrames: 3, windowFrames: 9))
        _ = try plain.append(P.block(0), blockFrames: 3)
        XCTAssertFalse(plain.context(block: 1).measureAttention)
        var sinkOnly = KVStore(policy: CachePolicy(sinkFrames: 3, windowFrames: 3, compression: KVCompression()))
        _ = try sinkOnly.append(P.block(0), blockFrames: 3)
        XCTAssertTrue(sinkOnly.context(block: 1).measureAttention)
        _ = try sinkOnly.append(P.block(1), blockFrames: 3, attentionMass: Self.reports([0, 1, 2]))
        XCTAssertEqual(sinkOnly.windowPositions, [], "window 3 = the block: nothing besides the sink stays")
        XCTAssertFalse(sinkOnly.context(block: 2).measureAttention, "everything held is compressed")
    }

    func testErrors() throws {
        let policy = CachePolicy(sinkFrames: 3, windowFrames: 9, compression: KVCompression())
        // A position-free cache's keys are rotated per call by token grid coordinates.
        var free = KVStore(policy: policy)
        let unrotated = P.block(0).map { f -> KVFrame in var g = f; g.keysRotated = false; return g }
        XCTAssertThrowsError(try free.append(unrotated, blockFrames: 3)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("compress: attention") && text.contains("positions: infinity"), text)
        }
        var store = KVStore(policy: policy)
        _ = try store.append(P.block(0), blockFrames: 3)
        XCTAssertThrowsError(try store.append(P.block(1), blockFrames: 3, attentionMass: [7: Self.mass(Self.ranking)])) { error in
            XCTAssertTrue("\(error)".contains("does not hold"), "\(error)")
        }
        XCTAssertThrowsError(try store.append(P.block(1), blockFrames: 3, attentionMass: [0: Self.mass(tokens: 15) { _, _, _ in 1 }])) { error in
            XCTAssertTrue("\(error)".contains("[layers, heads, tokens]"), "\(error)")
        }
        var ema = KVStore(policy: CachePolicy(sinkFrames: 3, windowFrames: 9, emaSink: true, compression: KVCompression()))
        XCTAssertThrowsError(try ema.append(P.block(0), blockFrames: 3))
    }

    func testNodeParamsAndItsFinishLine() throws {
        XCTAssertThrowsError(try NodeHarness(CacheManagerNode.self, params: ["compress": .string("attention"), "sink_update": .string("ema")])) { error in
            XCTAssertTrue("\(error)".contains("param 'compress'") && "\(error)".contains("ema"), "\(error)")
        }
        XCTAssertThrowsError(try NodeHarness(CacheManagerNode.self, params: ["compress": .string("attention"), "keep": .float(0)]))
        let h = try NodeHarness(CacheManagerNode.self, params: ["window": .int(9), "sink": .int(3), "compress": .string("attention"),
                                                                 "keep": .float(0.5), "quantize": .string("int8")])
        XCTAssertEqual(h.node.store.policy.compression, KVCompression(keep: 0.5, observe: 1))
        try h.feed("update", position: 0, KVUpdate(kind: .append, frames: P.block(0), block: 0, blockFrames: 3))
        for b in 1..<4 {
            let visible = try h.payloads("context", as: KVContext.self).last!
            XCTAssertTrue(visible.measureAttention)
            try h.feed("update", position: b, KVUpdate(kind: .append, frames: P.block(b), block: b, blockFrames: 3,
                                                       attentionMass: Self.reports(visible.frames.map(\.position))))
        }
        let last = try h.payloads("context", as: KVContext.self).last!
        XCTAssertEqual(last.frames.map { $0.keys[0].shape[1] }, [8, 8, 8, 8, 8, 8, 16, 16, 16])
        XCTAssertEqual(try h.payloads("evicted", as: KVEviction.self).map { $0.frame.keys[0].shape[1] }, [8, 8, 8],
                       "evicted frames leave as stored")
        try h.finish()
        let line = h.logLines.last ?? ""
        XCTAssertTrue(line.contains("attention compression (keep 0.5, observe 1): 9 frames compressed, 72 of 144 tokens kept"), line)
        XCTAssertTrue(line.contains("int8 storage saves"), line)

        let search = try NodeHarness(CacheManagerNode.self, params: ["compress": .string("attention")])
        XCTAssertThrowsError(try search.feed("update", position: 0, KVUpdate(kind: .append, frames: P.block(0), block: 0, blockFrames: 3,
                                                                             candidate: Candidate(block: 0, index: 0, count: 1, parent: nil))))
    }
}

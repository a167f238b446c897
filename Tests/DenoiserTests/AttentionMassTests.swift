import Foundation
import XCTest
import FlowKit
@testable import DenoiserNodes
@testable import CacheNodes

/// The attention statistics behind cache.manager's `compress: attention`: the mass a block's clean pass puts on
/// each cached token, checked against a direct softmax, and the stream with compression on the fixture model.
final class AttentionMassTests: XCTestCase {
    func loadModel() throws -> DiTModel { try DiTModel(folder: try ModelFolder(path: Fixtures.modelFolder)) }

    static func seeded(_ shape: [Int], _ seed: Int) -> Tensor {
        var state = UInt64(seed * 7919 + 17)
        return Tensor(shape: shape) { out in
            for i in 0..<out.count {
                state = state &* 6364136223846793005 &+ 1442695040888963407
                out[i] = Float(Int(state >> 40) % 2001 - 1000) / 400
            }
        }
    }

    /// softmax(q·kᵀ / sqrt(d)) over [prefix | own] in f64, averaged over the queries, prefix columns: [heads, P].
    static func directMass(query q: Tensor, prefixKeys p: Tensor, ownKeys k: Tensor) -> [[Double]] {
        let heads = q.shape[0], n = q.shape[1], d = q.shape[2], np = p.shape[1], nk = k.shape[1]
        return (0..<heads).map { h in
            var sums = [Double](repeating: 0, count: np)
            for r in 0..<n {
                let scores = (0..<(np + nk)).map { j -> Double in
                    (0..<d).reduce(0.0) { acc, e in
                        acc + Double(q[h, r, e]) * Double(j < np ? p[h, j, e] : k[h, j - np, e])
                    } / Double(d).squareRoot()
                }
                let top = scores.max()!
                let exps = scores.map { Foundation.exp($0 - top) }
                let total = exps.reduce(0, +)
                for j in 0..<np { sums[j] += exps[j] / total }
            }
            return sums.map { $0 / Double(n) }
        }
    }

    func testPrefixAttentionMassIsTheMeanSoftmaxOnThePrefix() {
        let q = Self.seeded([2, 5, 4], 1), p = Self.seeded([2, 3, 4], 2), k = Self.seeded([2, 5, 4], 3)
        let mass = DiTModel.prefixAttentionMass(query: q, prefixKeys: p, ownKeys: k)
        XCTAssertEqual(mass.shape, [2, 3])
        let expected = Self.directMass(query: q, prefixKeys: p, ownKeys: k)
        for h in 0..<2 {
            for j in 0..<3 { XCTAssertEqual(Double(mass[h, j]), expected[h][j], accuracy: 1e-6, "head \(h) token \(j)") }
            let share = (0..<3).reduce(0.0) { $0 + Double(mass[h, $1]) }
            XCTAssertGreaterThan(share, 0)
            XCTAssertLessThanOrEqual(share, 1 + 1e-6)
        }
    }

    /// The mass the model reports for layer 0 equals a direct softmax over that layer's queries (rebuilt here
    /// from the weights) and keys; the measured call's velocity and K/V are the plain call's, bit for bit.
    func testForwardReportsTheMassItsQueriesPutOnThePrefix() throws {
        let model = try loadModel()
        let fx = try Fixtures.file("denoiser_forward")
        let text = model.textContext(try Fixtures.tensor(fx, "text"), generation: 0)
        let (_, prefixKV) = model.forward(try Fixtures.tensor(fx, "prefix_latents"), timesteps: [0, 0, 0], positions: [0, 1, 2],
                                          text: text, prefix: nil)
        let x = try Fixtures.tensor(fx, "x")
        let plain = model.forward(x, timesteps: [0, 0, 0], positions: [3, 4, 5], text: text, prefix: prefixKV)
        let measured = model.forwardMeasuringPrefixAttention(x, timesteps: [0, 0, 0], positions: [3, 4, 5], text: text, prefix: prefixKV)
        XCTAssertEqual(measured.velocity.toArray(), plain.velocity.toArray())
        for (a, b) in zip(measured.kv, plain.kv) {
            XCTAssertEqual(a.keys.toArray(), b.keys.toArray())
            XCTAssertEqual(a.values.toArray(), b.values.toArray())
        }
        let c = model.config
        XCTAssertEqual(measured.prefixAttention.count, c.depth)
        XCTAssertTrue(measured.prefixAttention.allSatisfy { $0.shape == [c.heads, 3 * c.tokensPerFrame] })

        // Layer 0's queries, as forward makes them.
        let w = model.weights, l = w.layers[0], eps = c.normEps
        let tokens = w.patchIn(TokenOps.patchify(x.contiguous(), patch: c.patch))
        let e = w.tFC2(Kernels.silu(w.tFC1(TimestepEmbedding.features([0, 0, 0], dim: c.freqDim))))
        let h = TokenOps.modulate(tokens, mod: l.ada(Kernels.silu(e)), shiftAt: 0, scaleAt: 1, tokensPerFrame: c.tokensPerFrame, epsilon: eps)
        let rotary = RotaryTable(framePositions: [3, 4, 5], grid: c.grid, axes: c.ropeAxes, theta: c.ropeTheta)
        let q = rotary.apply(TokenOps.splitHeads(Kernels.rmsNorm(l.q(h), weight: l.normQ, epsilon: eps), heads: c.heads))
        let expected = Self.directMass(query: q, prefixKeys: prefixKV[0].keys, ownKeys: plain.kv[0].keys)
        let got = measured.prefixAttention[0]
        var worst = 0.0
        for head in 0..<c.heads {
            for j in 0..<(3 * c.tokensPerFrame) { worst = max(worst, abs(Double(got[head, j]) - expected[head][j])) }
        }
        XCTAssertLessThan(worst, 1e-5, "layer 0 mass vs a direct softmax")
        for layer in measured.prefixAttention {
            for head in 0..<c.heads {
                let share = (0..<layer.shape[1]).reduce(0.0) { $0 + Double(layer[head, $1]) }
                XCTAssertGreaterThan(share, 0)
                XCTAssertLessThanOrEqual(share, 1 + 1e-5, "the prefix's share of attention")
            }
        }
        print("attention mass: layer 0 worst |swift - direct| \(worst)")
    }

    /// The block loop reports mass per cached frame, split in [sink | memory | window] order by each frame's own
    /// token count (compressed frames hold fewer), and never for a retrieved memory frame.
    func testTheBlockLoopSplitsTheMassPerCachedFrame() throws {
        let model = try loadModel()
        let fx = try Fixtures.file("denoiser_stream")
        let noises = try Fixtures.tensor(fx, "noises")
        let text = model.textContext(try Fixtures.tensor(fx, "text_a"), generation: 0)
        let s = model.config.sampler
        let sampler = BlockSampler(model: model, schedule: FlowSchedule(steps: s.steps, shift: s.shift), blockFrames: s.blockFrames)
        func draws(_ b: Int) -> [Tensor] { (0..<4).map { noises.select(dim: 0, b).select(dim: 0, $0).contiguous() } }
        let first = sampler.generate(block: 0, noises: draws(0), text: text, visible: AttentionPrefix(measureAttention: true))
        XCTAssertEqual(first.attentionMass.count, 0, "no prefix, nothing to report")
        let second = sampler.generate(block: 1, noises: draws(1), text: text, visible: AttentionPrefix(history: first.frames))
        XCTAssertEqual(second.attentionMass.count, 0, "not asked")

        // Frame 1 compressed to 5 tokens; frame 4 retrieved from a memory bank.
        var compressed = first.frames[1]
        compressed.keys = compressed.keys.map { $0.slice(dim: 1, 3..<8).contiguous() }
        compressed.values = compressed.values.map { $0.slice(dim: 1, 3..<8).contiguous() }
        let memory = second.frames[1]
        let visible = AttentionPrefix(sink: [first.frames[0], compressed, first.frames[2]], memory: [memory],
                                      window: [second.frames[0]], measureAttention: true)
        let result = sampler.generate(block: 2, noises: draws(2), text: text, visible: visible)
        XCTAssertEqual(result.attentionMass.keys.sorted(), [0, 1, 2, 3], "the memory frame (4) is not reported")
        let c = model.config
        XCTAssertEqual(result.attentionMass[1]?.shape, [c.depth, c.heads, 5])
        XCTAssertEqual(result.attentionMass[3]?.shape, [c.depth, c.heads, 16])
        for l in 0..<c.depth {
            for h in 0..<c.heads {
                let share = result.attentionMass.values.reduce(0.0) { acc, m in acc + (0..<m.shape[2]).reduce(0.0) { $0 + Double(m[l, h, $1]) } }
                XCTAssertGreaterThan(share, 0)
                XCTAssertLessThan(share, 1, "the memory frame and the block's own keys take the rest")
            }
        }
        // The same call without measuring makes the same block.
        var quiet = visible
        quiet.measureAttention = false
        XCTAssertEqual(sampler.generate(block: 2, noises: draws(2), text: text, visible: quiet).x0.toArray(), result.x0.toArray())
    }

    /// The fixture stream (5 blocks, a prompt switch with re-cache at block 3) through the cache manager's store.
    func stream(_ compression: KVCompression?, precision: KVPrecision = .f32) throws -> (x0: [Tensor], store: KVStore) {
        let model = try loadModel()
        let fx = try Fixtures.file("denoiser_stream")
        let noises = try Fixtures.tensor(fx, "noises")
        let switchBlock = Int(try Fixtures.tensor(fx, "switch_block").scalar)
        let textA = model.textContext(try Fixtures.tensor(fx, "text_a"), generation: 0)
        let textB = model.textContext(try Fixtures.tensor(fx, "text_b"), generation: 1)
        let s = model.config.sampler
        let sampler = BlockSampler(model: model, schedule: FlowSchedule(steps: s.steps, shift: s.shift), blockFrames: s.blockFrames)
        var store = KVStore(policy: CachePolicy(sinkFrames: s.sinkFrames, windowFrames: s.windowFrames, precision: precision,
                                                compression: compression))
        var out: [Tensor] = []
        for b in 0..<noises.shape[0] {
            let text = b < switchBlock ? textA : textB
            var ctx = store.context(block: b)
            if b == switchBlock && !ctx.window.isEmpty {
                try store.recache(try sampler.recache(window: ctx.window, sink: ctx.sink, text: text), seconds: 0)
                ctx = store.context(block: b)
            }
            XCTAssertEqual(ctx.measureAttention, compression != nil && !ctx.frames.isEmpty)
            let draws = (0..<4).map { noises.select(dim: 0, b).select(dim: 0, $0).contiguous() }
            let result = sampler.generate(block: b, noises: draws, text: text, visible: AttentionPrefix(ctx))
            XCTAssertEqual(Set(result.attentionMass.keys), compression == nil ? [] : Set(ctx.frames.map(\.position)))
            _ = try store.append(result.frames, blockFrames: s.blockFrames, attentionMass: result.attentionMass)
            out.append(result.x0)
        }
        return (out, store)
    }

    func testKeepOneIsTheUncompressedStreamBitForBit() throws {
        let plain = try stream(nil), kept = try stream(KVCompression(keep: 1))
        XCTAssertGreaterThan(kept.store.stats.compressedFrames, 0)
        XCTAssertEqual(kept.store.stats.compressedTokensKept, kept.store.stats.compressedTokensSeen)
        for (a, b) in zip(plain.x0, kept.x0) { XCTAssertEqual(a.toArray(), b.toArray()) }
        let int8 = try stream(nil, precision: .int8), int8Kept = try stream(KVCompression(keep: 1), precision: .int8)
        for (a, b) in zip(int8.x0, int8Kept.x0) { XCTAssertEqual(a.toArray(), b.toArray()) }
    }

    func testHalfTheTokensChangesTheStreamButNotFarAndSavesMemory() throws {
        let plain = try stream(nil), half = try stream(KVCompression(keep: 0.5)), most = try stream(KVCompression(keep: 0.875))
        XCTAssertEqual(half.store.stats.compressedTokensKept * 2, half.store.stats.compressedTokensSeen)
        XCTAssertLessThan(half.store.stats.peakBytes, plain.store.stats.peakBytes)
        XCTAssertEqual(half.store.stats.peakUncompressedBytes, plain.store.stats.peakBytes)
        XCTAssertEqual(plain.x0[0].toArray(), half.x0[0].toArray(), "block 0 sees no cache")
        func rms(_ a: [Tensor], _ b: [Tensor]) -> Double {
            let d = zip(a, b).flatMap { zip($0.toArray(), $1.toArray()).map { Double($0 - $1) * Double($0 - $1) } }
            let n = a.flatMap { $0.toArray() }.map { Double($0) * Double($0) }
            return (d.reduce(0, +) / n.reduce(0, +)).squareRoot()
        }
        let halfError = rms(plain.x0, half.x0), mostError = rms(plain.x0, most.x0)
        print("compressed stream vs uncompressed, relative RMS of x0: keep 0.5 \(halfError), keep 0.875 \(mostError)")
        XCTAssertGreaterThan(halfError, 0)
        XCTAssertGreaterThan(mostError, 0)
        XCTAssertLessThan(mostError, halfError, "keeping more tokens stays closer")
        XCTAssertLessThan(halfError, 0.5)
    }
}

import XCTest
import FlowKit
import FlowTestSupport
@testable import DenoiserNodes
@testable import CacheNodes

/// The Swift DiT and block loop against Training/reference.py (float64) on the fixture model, each
/// element within the float32 rounding budget of the calls behind it (DiTTolerance.swift).
final class DenoiserParityTests: XCTestCase {
    func loadModel() throws -> DiTModel {
        try DiTModel(folder: try ModelFolder(path: Fixtures.modelFolder))
    }

    func testOneForwardCallWithPrefix() throws {
        let model = try loadModel()
        let fx = try Fixtures.file("denoiser_forward")
        let text = model.textContext(try Fixtures.tensor(fx, "text"), generation: 0)
        let (_, prefixKV) = model.forward(try Fixtures.tensor(fx, "prefix_latents"), timesteps: [0, 0, 0],
                                          positions: [0, 1, 2], text: text, prefix: nil)
        let t = try Fixtures.tensor(fx, "t").toArray()
        let (v, kv) = model.forward(try Fixtures.tensor(fx, "x"), timesteps: t, positions: [6, 7, 8], text: text, prefix: prefixKV)
        let expected = try Fixtures.tensor(fx, "v")
        XCTAssertGreaterThan(maxAbs(expected), 0.1)
        // Two calls (the prefix's, then this one over 3 + 3 frames of keys); K/V come part way through
        // the second, so its whole budget bounds them too.
        let keys = (prefixKV.first?.keys.shape[1] ?? 0) + kv[0].keys.shape[1]
        let tolerance = Tolerance.network(reductionLength: 2 * model.config.reductionLength(keys: keys, textTokens: text.tokens))
        let checks = [("v", v, expected), ("k[0]", kv[0].keys, try Fixtures.tensor(fx, "k_layer0")),
                      ("k[last]", kv[kv.count - 1].keys, try Fixtures.tensor(fx, "k_last")),
                      ("v[last]", kv[kv.count - 1].values, try Fixtures.tensor(fx, "v_last"))]
        let ratios = checks.map { name, actual, reference in
            "\(name) \(assertWithin(actual, reference, tolerance, "one call \(name)")?.worstRatio ?? .infinity)"
        }
        print("denoiser one call, error/bound: \(ratios.joined(separator: ", "))")
    }

    /// 5 blocks of the streaming loop with the cache manager's window + sink store, a prompt switch
    /// with re-cache at block 3, exactly as the reference fixture was made.
    func testFiveBlockStreamWithRecache() throws {
        let model = try loadModel()
        let fx = try Fixtures.file("denoiser_stream")
        let noises = try Fixtures.tensor(fx, "noises")                   // [5, 4, 3, 16, 8, 8]
        let expected = try Fixtures.tensor(fx, "latents")                // [5, 3, 16, 8, 8]
        let firstV = try Fixtures.tensor(fx, "first_call_v")
        let switchBlock = Int(try Fixtures.tensor(fx, "switch_block").scalar)
        let textA = model.textContext(try Fixtures.tensor(fx, "text_a"), generation: 0)
        let textB = model.textContext(try Fixtures.tensor(fx, "text_b"), generation: 1)
        let s = model.config.sampler
        let sampler = BlockSampler(model: model, schedule: FlowSchedule(steps: s.steps, shift: s.shift), blockFrames: s.blockFrames)
        var store = KVStore(policy: CachePolicy(sinkFrames: s.sinkFrames, windowFrames: s.windowFrames))
        var worst = 0.0, worstV = 0.0
        for b in 0..<5 {
            let text = b < switchBlock ? textA : textB
            var ctx = store.context(block: b)
            if b == switchBlock && !ctx.window.isEmpty {
                let window = try sampler.recache(window: ctx.window, sink: ctx.sink, text: text)
                try store.recache(window, seconds: 0)
                ctx = store.context(block: b)
            }
            let blockNoise = noises.select(dim: 0, b)
            let draws = (0..<4).map { blockNoise.select(dim: 0, $0).contiguous() }
            let result = sampler.generate(block: b, noises: draws, text: text, visible: AttentionPrefix(ctx))
            _ = try store.append(result.frames, blockFrames: s.blockFrames)
            let c = model.config, tokens = textA.tokens
            let x0 = assertWithin(result.x0, expected.select(dim: 0, b).contiguous(),
                                  .network(reductionLength: c.streamReductionLength(block: b, textTokens: tokens)), "block \(b) x0")
            let v = assertWithin(result.firstVelocity, firstV.select(dim: 0, b).contiguous(),
                                 .network(reductionLength: c.streamReductionLength(block: b, calls: b * (s.steps.count + 1) + 1, textTokens: tokens)),
                                 "block \(b) first v")
            print("block \(b): x0 error/bound \(x0?.worstRatio ?? .infinity), first v \(v?.worstRatio ?? .infinity), visible \(ctx.frames.map(\.position))")
            worst = max(worst, x0?.worstRatio ?? .infinity)
            worstV = max(worstV, v?.worstRatio ?? .infinity)
        }
        print("denoiser 5-block stream, worst error/bound: x0 \(worst), first v \(worstV)")
    }
}

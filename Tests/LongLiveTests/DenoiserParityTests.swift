import XCTest
import FlowKit
@testable import DenoiserNodes
@testable import CacheNodes

/// The Swift DiT and block loop against Training/reference.py (float64) on the fixture model.
/// Tolerances are MODEL_FORMAT.md's: 1e-5 for one call, 1e-4 for the 5-block stream.
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
        let errV = maxAbsDifference(v, expected)
        let errK0 = maxAbsDifference(kv[0].keys, try Fixtures.tensor(fx, "k_layer0"))
        let errVL = maxAbsDifference(kv[kv.count - 1].values, try Fixtures.tensor(fx, "v_last"))
        let errKL = maxAbsDifference(kv[kv.count - 1].keys, try Fixtures.tensor(fx, "k_last"))
        print("denoiser one call: v \(errV), k[0] \(errK0), k[last] \(errKL), v[last] \(errVL)")
        XCTAssertLessThan(errV, 1e-5)
        XCTAssertLessThan(errK0, 1e-5)
        XCTAssertLessThan(errKL, 1e-5)
        XCTAssertLessThan(errVL, 1e-5)
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
        var worst: Float = 0, worstV: Float = 0
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
            let result = sampler.generate(block: b, noises: draws, text: text, visible: ctx.frames)
            _ = try store.append(result.frames, blockFrames: s.blockFrames)
            let err = maxAbsDifference(result.x0, expected.select(dim: 0, b).contiguous())
            let errV = maxAbsDifference(result.firstVelocity, firstV.select(dim: 0, b).contiguous())
            print("block \(b): x0 max abs diff \(err), first v \(errV), visible \(ctx.frames.map(\.position))")
            worst = max(worst, err)
            worstV = max(worstV, errV)
        }
        XCTAssertLessThan(worst, 1e-4)
        XCTAssertLessThan(worstV, 1e-4)
    }
}

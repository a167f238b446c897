import XCTest
import FlowKit
@testable import DenoiserNodes
@testable import CacheNodes

/// The streaming loop of a golden stream fixture (reference.py): blocks generated against the cache manager's
/// store, the prompt switching from `text_a` to `text_b` with a re-cache at `switch_block`, and every block's x0
/// checked within the float32 budget of the calls behind it.
struct FixtureStream {
    let model: DiTModel
    let fixture: SafetensorsFile
    let textA: TextContext
    let textB: TextContext
    /// K along the chain of calls up to a block (DiTTolerance.swift), given the block and the prompts' tokens.
    let reductionLength: (_ block: Int, _ textTokens: Int) -> Double

    /// Runs the stream under `guidance` and checks it against the fixture's `key`; returns the worst error/bound.
    func check(expected key: String, guidance: Double) throws -> Double {
        let noises = try fixture.f32("noises"), expected = try fixture.f32(key)
        let switchBlock = Int(try fixture.f32("switch_block").scalar)
        let s = model.config.sampler
        let sampler = BlockSampler(model: model, schedule: FlowSchedule(steps: s.steps, shift: s.shift), blockFrames: s.blockFrames,
                                   guidance: try BlockSampler.Guidance(model: model, scale: guidance))
        var store = KVStore(policy: CachePolicy(sinkFrames: s.sinkFrames, windowFrames: s.windowFrames))
        var worst = 0.0
        for b in 0..<expected.shape[0] {
            let text = b < switchBlock ? textA : textB
            var ctx = store.context(block: b)
            if b == switchBlock && !ctx.window.isEmpty {
                try store.recache(try sampler.recache(window: ctx.window, sink: ctx.sink, text: text), seconds: 0)
                ctx = store.context(block: b)
            }
            let blockNoise = noises.select(dim: 0, b)
            let draws = (0..<blockNoise.shape[0]).map { blockNoise.select(dim: 0, $0).contiguous() }
            let result = sampler.generate(block: b, noises: draws, text: text, visible: AttentionPrefix(ctx))
            _ = try store.append(result.frames, blockFrames: s.blockFrames)
            var tolerance = Tolerance.network(reductionLength: reductionLength(b, max(textA.tokens, textB.tokens)))
            tolerance.coefficient *= DiTConfig.guidanceGain(guidance)
            let check = assertWithin(result.x0, expected.select(dim: 0, b).contiguous(), tolerance, "\(key) block \(b)")
            worst = max(worst, check?.worstRatio ?? .infinity)
        }
        return worst
    }
}

import XCTest
import FlowKit
import FlowTestSupport
@testable import DenoiserNodes

/// Search candidates generated in one batched call (each group with its own prefix) against the same
/// candidates generated one by one: the batching changes GEMM shapes, never what a candidate sees.
final class CandidateBatchTests: XCTestCase {
    func testBatchedCandidatesEqualCandidatesGeneratedAlone() throws {
        let model = try DiTModel(folder: try ModelFolder(path: Fixtures.modelFolder))
        let fx = try Fixtures.file("denoiser_forward")
        let text = model.textContext(try Fixtures.tensor(fx, "text"), generation: 0)
        let s = model.config.sampler
        let sampler = BlockSampler(model: model, schedule: FlowSchedule(steps: s.steps, shift: s.shift), blockFrames: s.blockFrames)
        let noise = SeededNoise(seed: 7)
        // Two beams with different histories: block 0 from two noises, then three candidates of block 1.
        let roots = sampler.generate(block: 0, candidates: (0..<2).map { c in
            .init(noises: (0..<4).map { noise.tensor(shape: sampler.blockShape, block: 0, draw: c * 64 + $0) }, visible: AttentionPrefix())
        }, text: text)
        let inputs: [BlockSampler.CandidateInput] = (0..<3).map { c in
            .init(noises: (0..<4).map { noise.tensor(shape: sampler.blockShape, block: 1, draw: c * 64 + $0) },
                  visible: AttentionPrefix(history: roots[c % 2].frames))
        }
        let batched = sampler.generate(block: 1, candidates: inputs, text: text)
        let tolerance = Tolerance.network(reductionLength: model.config.streamReductionLength(block: 1, textTokens: text.tokens))
        for (c, input) in inputs.enumerated() {
            let alone = sampler.generate(block: 1, noises: input.noises, text: text, visible: input.visible)
            XCTAssertEqual(batched[c].x0.shape, alone.x0.shape)
            XCTAssertNotNil(assertWithin(batched[c].x0, alone.x0, tolerance, "candidate \(c) x0"))
            XCTAssertEqual(batched[c].frames.map(\.position), alone.frames.map(\.position))
            XCTAssertNotNil(assertWithin(batched[c].frames[0].keys[0], alone.frames[0].keys[0], tolerance, "candidate \(c) K"))
        }
        // The candidates differ from each other: the batch did not collapse them.
        XCTAssertFalse(NumericComparison(batched[0].x0.toArray(), batched[1].x0.toArray(), tolerance).passed)
    }
}

import XCTest
import FlowKit
@testable import DenoiserNodes
@testable import CacheNodes

/// denoiser.block with `start: latents` (video-to-video): parity of one block with reference.py and
/// the node's behaviour in the loop.
final class VideoToVideoDenoiserTests: XCTestCase {
    /// One block re-noised from VAE latents to timestep 600, then steps 500 and 250, against
    /// Training/make_longlive_fixtures.py's float64 reference (denoiser_v2v), within 1e-4.
    func testOneBlockMatchesReference() throws {
        let model = try DiTModel(folder: try ModelFolder(path: Fixtures.modelFolder))
        let fx = try Fixtures.file("denoiser_v2v")
        let source = try Fixtures.tensor(fx, "source")
        let noises = try Fixtures.tensor(fx, "noises")                   // [3, 3, 16, 8, 8]
        let expected = try Fixtures.tensor(fx, "latents")
        let start = Double(try Fixtures.tensor(fx, "start").toArray()[0])
        let s = model.config.sampler
        let full = BlockSampler(model: model, schedule: FlowSchedule(steps: s.steps, shift: s.shift), blockFrames: s.blockFrames)
        let v2v = try VideoToVideoStart(LatentBlock(latents: source, firstLatentFrame: 0, promptGeneration: 0, startTimestep: start),
                                        block: 0, sampler: full)
        XCTAssertEqual(v2v.sampler.schedule.steps, [600, 500, 250])
        let draws = (0..<3).map { noises.select(dim: 0, $0).contiguous() }
        let text = model.textContext(try Fixtures.tensor(fx, "text"), generation: 0)
        let result = v2v.sampler.generate(block: 0, noises: v2v.noises(draws: draws), text: text, visible: AttentionPrefix())
        let got = model.config.latentNormalization.denormalize(result.x0)
        XCTAssertGreaterThan(maxAbs(expected), 0.1)
        let err = maxAbsDifference(got, expected)
        print("denoiser v2v block vs reference: max abs diff \(err)")
        XCTAssertLessThan(err, 1e-4)
    }

    /// Runs the loop in v2v mode over the given source blocks; the source input closes after them.
    func runLoop(seed: Int, sources: [LatentBlock]) throws -> [LatentBlock] {
        let den = try NodeHarness(DenoiserBlockNode.self, params: ["model": .string(Fixtures.modelFolder), "frames": .int(480),
                                                              "seed": .int(seed), "start": .string("latents")])
        let kv = try NodeHarness(CacheManagerNode.self, params: [:])
        let prompt = Prompt(text: "a red circle", startFrame: 0, generation: 0)
        try den.feed("text", Packet(position: 0, payload: TextStubNode.embedding(prompt)))
        for (i, s) in sources.enumerated() { try den.feed("source", position: i, s) }
        try den.close("source")
        try den.feed("cache", position: 0, LoopSeed())
        var out: [LatentBlock] = []
        while !den.ended {
            out += try den.payloads("latents", as: LatentBlock.self)
            let updates = try den.payloads("kv", as: KVUpdate.self)
            den.clearOutputs()
            for u in updates { try kv.feed("update", position: u.block, u) }
            let contexts = kv.outputs("context")
            kv.clearOutputs()
            guard !contexts.isEmpty else { XCTFail("loop stalled"); break }
            for c in contexts { try den.feed("cache", c) }
        }
        return out + (try den.payloads("latents", as: LatentBlock.self))
    }

    func sources(start: Double, offset: Float = 0) throws -> [LatentBlock] {
        let z = try Fixtures.tensor(try Fixtures.file("denoiser_v2v"), "source")
        let shifted = Tensor(shape: z.shape) { out in z.withUnsafeFloats { for i in 0..<out.count { out[i] = $0[i] + offset } } }
        return [0, 1].map { LatentBlock(latents: shifted, firstLatentFrame: 3 * $0, promptGeneration: 0, startTimestep: start) }
    }

    /// Deterministic with a seed; the seed, the input and the start timestep all change the output;
    /// the stream ends with its input (2 blocks, not the 40 `frames` allows).
    func testVideoToVideoLoop() throws {
        let a = try runLoop(seed: 3, sources: try sources(start: 600))
        let b = try runLoop(seed: 3, sources: try sources(start: 600))
        XCTAssertEqual(a.map(\.firstLatentFrame), [0, 3])
        for (x, y) in zip(a, b) { XCTAssertEqual(maxAbsDifference(x.latents, y.latents), 0) }
        let otherSeed = try runLoop(seed: 4, sources: try sources(start: 600))
        XCTAssertGreaterThan(maxAbsDifference(a[1].latents, otherSeed[1].latents), 1e-3)
        let otherInput = try runLoop(seed: 3, sources: try sources(start: 600, offset: 0.5))
        XCTAssertGreaterThan(maxAbsDifference(a[0].latents, otherInput[0].latents), 1e-3)
        let otherStart = try runLoop(seed: 3, sources: try sources(start: 900))
        XCTAssertGreaterThan(maxAbsDifference(a[0].latents, otherStart[0].latents), 1e-3)
    }

    func testSourceWithoutStartTimestepIsAnError() throws {
        let z = try Fixtures.tensor(try Fixtures.file("denoiser_v2v"), "source")
        XCTAssertThrowsError(try runLoop(seed: 0, sources: [LatentBlock(latents: z, firstLatentFrame: 0, promptGeneration: 0)]))
    }
}

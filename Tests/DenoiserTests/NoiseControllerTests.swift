import XCTest
import FlowKit
@testable import DenoiserNodes

/// StreamDiffusionV2's motion-aware noise controller (reference §5) and the schedule it enters.
final class NoiseControllerTests: XCTestCase {
    func testFormulaWithSmoothing() {
        var c = MotionNoiseController(initial: 0.7)
        XCTAssertEqual(c.motion(0), 0)
        XCTAssertEqual(c.motion(0.1), 0.5, accuracy: 1e-12)
        XCTAssertEqual(c.motion(3), 1, "clipped at 1")
        // still input: scale stays at the initial 0.7 -> 1000 * 0.7 - 100
        XCTAssertEqual(c.startTimestep(motion: 0), 600, accuracy: 1e-9)
        // full motion: 0.9 * (0.7 - 0.1) + 0.1 * 0.7 = 0.61
        XCTAssertEqual(c.startTimestep(motion: 1), 510, accuracy: 1e-9)
        // half motion after that: 0.9 * 0.65 + 0.1 * 0.61 = 0.646
        XCTAssertEqual(c.startTimestep(motion: 0.5), 546, accuracy: 1e-9)
    }

    /// d comes from the largest RMS difference between consecutive latent frames, across the block
    /// boundary too.
    func testMotionFromLatentFrames() {
        func frames(_ values: [Float]) -> Tensor {
            Tensor(shape: [values.count, 2, 2, 2]) { out in for i in 0..<out.count { out[i] = values[i / 8] } }
        }
        var c = MotionNoiseController(initial: 0.7)
        // frames 0, 0, 0.1: max RMS difference 0.1 -> d = 0.5 -> 0.9 * 0.65 + 0.1 * 0.7 = 0.655
        XCTAssertEqual(c.startTimestep(for: frames([0, 0, 0.1])), 555, accuracy: 1e-4)
        // still frames equal to the last one: d = 0 -> 0.9 * 0.7 + 0.1 * 0.655 = 0.6955
        XCTAssertEqual(c.startTimestep(for: frames([0.1, 0.1, 0.1])), 595.5, accuracy: 1e-4)
        // a jump only at the boundary (0.1 -> 0.5) still counts as full motion: 0.9 * 0.6 + 0.1 * 0.6955
        XCTAssertEqual(c.startTimestep(for: frames([0.5, 0.5, 0.5])), 509.55, accuracy: 1e-4)
    }

    func testNodeTagsBlocks() throws {
        let h = try NodeHarness(NoiseControllerNode.self, params: ["strength": .float(0.8)])
        let still = Tensor(zeros: [3, 16, 8, 8])
        try h.feed("latents", position: 4, LatentBlock(latents: still, firstLatentFrame: 12, promptGeneration: 0))
        let out = try h.payloads("latents", as: LatentBlock.self)
        XCTAssertEqual(out.count, 1)
        XCTAssertEqual(out[0].firstLatentFrame, 12)
        XCTAssertEqual(try XCTUnwrap(out[0].startTimestep), 700, accuracy: 1e-9)
        XCTAssertEqual(h.outputs("latents")[0].position, 4)
    }

    /// Entering the schedule at 600: that step, then the steps below it, shifted as usual.
    func testScheduleStartingPartWay() {
        let s = FlowSchedule(steps: [1000, 750, 500, 250], shift: 5).starting(at: 600)
        XCTAssertEqual(s.steps, [600, 500, 250])
        XCTAssertEqual(Double(s.sigmas[0]), 3.0 / 3.4, accuracy: 1e-6)          // 5 * 0.6 / (1 + 4 * 0.6)
        XCTAssertEqual(Double(s.sigmas[2]), 1.25 / 2.0, accuracy: 1e-6)         // 5 * 0.25 / (1 + 4 * 0.25)
    }
}

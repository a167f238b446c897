import Foundation
import XCTest
import FlowKit
import FlowTestSupport
@testable import RewardNodes

/// `reward.scorer` alone: windows of 4 frames across batches, pairing with the prompt by generation,
/// what is left at the end. Synthetic frames and token states on the shipped model (skipped until exported).
final class RewardScorerNodeTests: XCTestCase {
    private var modelDir = ""
    private var model: RewardModel!
    private var random = SplitMix64(seed: 14)

    override func setUpWithError() throws {
        (modelDir, _) = try ShippedModel.fixture("reward", model: "reward")
        model = try RewardModel(folder: try ModelFolder(path: modelDir))
    }

    private func harness() throws -> NodeHarness<RewardScorerNode> {
        try NodeHarness(RewardScorerNode.self, params: ["model": .string(modelDir)])
    }

    private func frames(_ count: Int) -> [UInt8] {
        (0..<(count * 64 * 64 * 3)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
    }

    private func batch(_ rgb: [UInt8], first: Int, generation: Int?) -> FrameBatch {
        FrameBatch(width: 64, height: 64, firstFrame: first, fps: 16, rgb: rgb, promptGeneration: generation)
    }

    private func embedding(generation: Int, tokens: Int = 7) -> TextEmbedding {
        let states = Tensor(shape: [tokens, 384], values: (0..<(tokens * 384)).map { _ in Float(random.below(2001)) / 1000 - 1 })
        return TextEmbedding(text: "prompt \(generation)", generation: generation, startFrame: 0,
                             tokenIDs: Array(repeating: 0, count: tokens), tokenStates: states,
                             sentence: Tensor(zeros: [384]), truncated: false)
    }

    /// What the model gives for whole windows of `rgb` against `text`, computed as the node does.
    private func expectedLogits(_ rgb: ArraySlice<UInt8>, windows: Int, text: TextEmbedding) -> [Float] {
        let pixels = FramePixels.planar(rgb, count: 4 * windows, height: 64, width: 64)
        return model.logits(images: model.imageEmbedding(pixels.reshaped([windows, 4, 3, 64, 64])),
                            text: model.textEmbedding(text.tokenStates))
    }

    func testWindowsOfFourSpanBatchesOfThreeAndFive() throws {
        let h = try harness()
        let text = embedding(generation: 0), rgb = frames(8)
        try h.feed("text", position: 0, text)
        try h.feed("frames", position: 0, batch(Array(rgb[0..<(3 * 12288)]), first: 0, generation: 0))
        try h.feed("frames", position: 1, batch(Array(rgb[(3 * 12288)...]), first: 3, generation: 0))
        let scores = try h.payloads("scores", as: RewardScores.self)
        XCTAssertEqual(h.outputs("scores").map(\.position), [0, 1])
        // The first batch only starts a window: a score with none, saying where the next window starts.
        XCTAssertEqual(scores[0].windowCount, 0)
        XCTAssertEqual(scores[0].firstFrame, 0)
        XCTAssertEqual(scores[0].frameCount, 0)
        XCTAssertNil(scores[0].meanProbability)
        // The second completes frames 0–3 and 4–7.
        XCTAssertEqual(scores[1].firstFrame, 0)
        XCTAssertEqual(scores[1].frameCount, 8)
        XCTAssertEqual(scores[1].windowFrames, 4)
        XCTAssertEqual(scores[1].promptGeneration, 0)
        let expected = expectedLogits(rgb[...], windows: 2, text: text)
        XCTAssertEqual(scores[1].logits, expected)
        XCTAssertEqual(scores[1].probabilities.count, 2)
        for (p, l) in zip(scores[1].probabilities, expected) { XCTAssertEqual(p, 1 / (1 + exp(-l)), accuracy: 1e-6) }
        XCTAssertEqual(scores[1].meanProbability!, scores[1].probabilities.reduce(0, +) / 2, accuracy: 1e-7)
        try h.finishClean()
    }

    func testFramesWaitForTheirPromptsEmbedding() throws {
        let h = try harness()
        let first = embedding(generation: 0), second = embedding(generation: 1), rgb = frames(8)
        try h.feed("text", position: 0, first)
        try h.feed("frames", position: 0, batch(Array(rgb[0..<(4 * 12288)]), first: 0, generation: 0))
        XCTAssertEqual(try h.payloads("scores", as: RewardScores.self).map(\.promptGeneration), [0])
        // Made under prompt 1, whose embedding has not come: they wait, and say so.
        try h.feed("frames", position: 1, batch(Array(rgb[(4 * 12288)...]), first: 4, generation: 1))
        XCTAssertEqual(h.readOutputs("scores").count, 0)
        XCTAssertEqual(h.leftovers.pendingWork, ["frames 4..<8 wait for the embedding of prompt generation 1"])
        try h.feed("text", position: 1, second)
        let scores = try h.readOutputs("scores").map { try $0.value(as: RewardScores.self) }
        XCTAssertEqual(scores.map(\.promptGeneration), [1])
        XCTAssertEqual(scores[0].firstFrame, 4)
        XCTAssertEqual(scores[0].logits, expectedLogits(rgb[(4 * 12288)...], windows: 1, text: second))
        XCTAssertNotEqual(scores[0].logits, expectedLogits(rgb[(4 * 12288)...], windows: 1, text: first))
        try h.finishClean()
    }

    /// A window never mixes two prompts' frames: the switch drops the unfinished one and counting restarts.
    func testAPromptSwitchRestartsTheWindow() throws {
        let h = try harness()
        let rgb = frames(6)
        try h.feed("text", position: 0, embedding(generation: 0))
        let second = embedding(generation: 1)
        try h.feed("text", position: 1, second)
        try h.feed("frames", position: 0, batch(Array(rgb[0..<(2 * 12288)]), first: 0, generation: 0))
        try h.feed("frames", position: 1, batch(Array(rgb[(2 * 12288)...]), first: 2, generation: 1))
        let scores = try h.payloads("scores", as: RewardScores.self)
        XCTAssertEqual(scores.map(\.windowCount), [0, 1])
        XCTAssertEqual(scores[1].firstFrame, 2)
        XCTAssertEqual(scores[1].logits, expectedLogits(rgb[(2 * 12288)...], windows: 1, text: second))
        try h.finishClean()
        XCTAssertTrue(h.logLines.last!.contains("dropped 2 frame(s)"), h.logLines.joined(separator: "\n"))
    }

    /// At the end: a trailing partial window is not scored (logged, not pending), frames still waiting for
    /// their prompt are the node's pending work.
    func testFinishReportsFramesWaitingForAPrompt() throws {
        let h = try harness()
        try h.feed("text", position: 0, embedding(generation: 0))
        try h.feed("frames", position: 0, batch(frames(6), first: 0, generation: 0))
        XCTAssertEqual(try h.payloads("scores", as: RewardScores.self).map(\.windowCount), [1])
        try h.feed("frames", position: 1, batch(frames(4), first: 6, generation: 2))
        let left = try h.finish()
        XCTAssertEqual(left.pendingWork, ["frames 6..<10 wait for the embedding of prompt generation 2"])
        XCTAssertTrue(h.logLines.last!.contains("left 2 trailing frame(s)"), h.logLines.joined(separator: "\n"))
        XCTAssertTrue(h.logLines.last!.contains("1 batch(es) never got their prompt"), h.logLines.joined(separator: "\n"))
    }

    /// Frames with no generation (read from a file) take the newest prompt received.
    func testFramesWithoutAGenerationTakeTheNewestPrompt() throws {
        let h = try harness()
        let rgb = frames(4)
        try h.feed("frames", position: 0, batch(rgb, first: 0, generation: nil))
        XCTAssertEqual(h.leftovers.pendingWork, ["frames 0..<4 wait for a prompt embedding"])
        let text = embedding(generation: 3)
        try h.feed("text", position: 0, text)
        let scores = try h.payloads("scores", as: RewardScores.self)
        XCTAssertEqual(scores.map(\.promptGeneration), [3])
        XCTAssertEqual(scores[0].logits, expectedLogits(rgb[...], windows: 1, text: text))
        try h.finishClean()
    }

    func testFramesOfAnotherSizeAreAnError() throws {
        let h = try harness()
        try h.feed("text", position: 0, embedding(generation: 0))
        XCTAssertThrowsError(try h.feed("frames", position: 0, FrameBatch(width: 32, height: 32, firstFrame: 0, fps: 16,
                                                                           rgb: [UInt8](repeating: 0, count: 32 * 32 * 3 * 4),
                                                                           promptGeneration: 0))) { error in
            XCTAssertTrue("\(error)".contains("32x32"), "\(error)")
        }
    }
}

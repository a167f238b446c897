import Foundation
import XCTest
import FlowKit
import FlowTestSupport
@testable import RewardNodes

/// `reward.verifier` alone, on the fixture's world clips (Tests/ModelFixtures/verifier_clips, made by
/// Training/make_verifier_fixtures.py): true clips against their own prompts and against prompts and clips that
/// differ in one attribute; pairing by prompt generation; candidates; errors.
final class RewardVerifierNodeTests: XCTestCase {
    private var fixture: VerifierFixture!
    private var modelDir = ""

    override func setUpWithError() throws {
        fixture = try VerifierFixture.load()
        modelDir = try verifierModelFolder(self)
    }

    private func harness() throws -> NodeHarness<RewardVerifierNode> {
        try NodeHarness(RewardVerifierNode.self, params: ["model": .string(modelDir)])
    }

    private func text(_ prompt: String, generation: Int) -> TextEmbedding {
        TextStubNode.embedding(Prompt(text: prompt, startFrame: 0, generation: generation))
    }

    private func batch(_ clip: VerifierFixture.Clip, _ frames: Range<Int>, first: Int? = nil, generation: Int?,
                       candidate: Candidate? = nil) -> FrameBatch {
        FrameBatch(width: 64, height: 64, firstFrame: first ?? frames.lowerBound, fps: 16, rgb: clip.frames(frames),
                   promptGeneration: generation, candidate: candidate)
    }

    private func clip(_ name: String) throws -> VerifierFixture.Clip {
        try XCTUnwrap(fixture.clips.first { $0.name == name }, "no clip '\(name)' in the fixture")
    }

    /// Scores of a whole clip fed as batches of `batchSize` frames under one prompt.
    private func scores(_ clip: VerifierFixture.Clip, prompt: String, batchSize: Int = 12) throws -> [RewardScores] {
        let h = try harness()
        try h.feed("text", position: 0, text(prompt, generation: 0))
        for (k, start) in stride(from: 0, to: clip.frameCount, by: batchSize).enumerated() {
            try h.feed("frames", position: k, batch(clip, start..<min(start + batchSize, clip.frameCount), generation: 0))
        }
        let out = try h.payloads("scores", as: RewardScores.self)
        try h.finishClean()
        return out
    }

    private func meanProbability(_ scores: [RewardScores]) -> Float {
        let p = scores.flatMap(\.probabilities)
        return p.reduce(0, +) / Float(max(p.count, 1))
    }

    /// Every true clip, against its prompt in either training vocabulary: every window sees every attribute.
    func testTrueClipsScoreNearOneAgainstTheirOwnPrompts() throws {
        for clip in fixture.clips where clip.isTrue {
            for split in ["train", "extra"] {
                let out = try scores(clip, prompt: clip.prompts[split]!)
                XCTAssertEqual(out.map(\.windowCount), [3, 3], clip.name)
                XCTAssertEqual(out.map(\.firstFrame), [0, 12], clip.name)
                for s in out {
                    XCTAssertEqual(s.windowFrames, 4)
                    XCTAssertEqual(s.promptGeneration, 0)
                    XCTAssertNil(s.candidate)
                    for (logit, p) in zip(s.logits, s.probabilities) {
                        XCTAssertEqual(p, 0.99, accuracy: 1e-5, "\(clip.name), \(split): \(clip.prompts[split]!)")
                        XCTAssertEqual(logit, Float(log(0.99 / 0.01)), accuracy: 1e-5)
                    }
                }
            }
        }
    }

    /// A prompt that differs from the clip in one attribute scores clearly lower, and the attribute it names is
    /// the one that fails: p drops by at least one attribute's share in every window of the clip.
    func testAPromptThatDiffersInOneAttributeScoresLower() throws {
        for clip in fixture.clips where clip.isTrue {
            let own = meanProbability(try scores(clip, prompt: clip.prompts["train"]!))
            // At most this many checks per window: presence stands in for the colour, sizes of a grow wait.
            let attributes = Float(clip.truth.attributeCount)
            for (change, prompt) in clip.contradicting {
                let out = try scores(clip, prompt: prompt)
                let worst = try XCTUnwrap(out.flatMap(\.probabilities).max())
                XCTAssertLessThanOrEqual(worst, 1 - 1 / attributes + 1e-4, "\(clip.name), other \(change): \(prompt)")
                XCTAssertLessThan(meanProbability(out), own - 0.08, "\(clip.name), other \(change): \(prompt)")
            }
        }
    }

    /// A clip rendered with one attribute changed scores lower than the true clip against the true prompt.
    func testPerturbedClipsScoreLowerThanTrueOnes() throws {
        for perturbed in fixture.clips where !perturbed.isTrue {
            let prompt = perturbed.prompts["train"]!
            let truth = try XCTUnwrap(fixture.clips.first { $0.isTrue && $0.prompts["train"] == prompt })
            let own = meanProbability(try scores(truth, prompt: prompt)), other = meanProbability(try scores(perturbed, prompt: prompt))
            XCTAssertLessThan(other, own - 0.08, "\(perturbed.name) against '\(prompt)'")
        }
    }

    /// Batches of 4 frames: motion is judged on the batch plus up to 8 earlier frames, so after the first batch
    /// (too short to judge) the clip still scores as in blocks; the log says what was not judged.
    func testShortBatchesBorrowEarlierFramesForMotion() throws {
        let clip = try clip("diagonal (true)")
        let h = try harness()
        try h.feed("text", position: 0, text(clip.prompts["train"]!, generation: 0))
        for k in 0..<6 { try h.feed("frames", position: k, batch(clip, (4 * k)..<(4 * k + 4), generation: 0)) }
        let out = try h.payloads("scores", as: RewardScores.self)
        XCTAssertEqual(out.map(\.windowCount), [1, 1, 1, 1, 1, 1])
        XCTAssertEqual(out.map(\.firstFrame), [0, 4, 8, 12, 16, 20])
        for s in out { XCTAssertEqual(s.probabilities[0], 0.99, accuracy: 1e-5) }
        try h.finishClean()
        XCTAssertTrue(h.logLines.last!.contains("motion not judged in 1 batch(es)"), h.logLines.joined(separator: "\n"))
        XCTAssertTrue(h.logLines.last!.contains("motion 5/5"), h.logLines.joined(separator: "\n"))

        // The same batches under a prompt of the opposite motion: judged wrong from the second batch on.
        let wrong = try XCTUnwrap(clip.contradicting.first { $0.change == "motion" }?.prompt)
        let h2 = try harness()
        try h2.feed("text", position: 0, text(wrong, generation: 0))
        for k in 0..<6 { try h2.feed("frames", position: k, batch(clip, (4 * k)..<(4 * k + 4), generation: 0)) }
        let p = try h2.payloads("scores", as: RewardScores.self).map { $0.probabilities[0] }
        XCTAssertEqual(p[0], 0.99, accuracy: 1e-5)
        for q in p.dropFirst() { XCTAssertEqual(q, 0.8, accuracy: 1e-5) }     // 4 of 5 attributes seen
        try h2.finishClean()
    }

    /// Each batch is scored against the prompt of its generation; a batch whose prompt has not come waits.
    func testScoresArePairedByPromptGeneration() throws {
        let first = try clip("bounce (true)"), second = try clip("diagonal (true)")
        let h = try harness()
        try h.feed("text", position: 0, text(first.prompts["train"]!, generation: 0))
        try h.feed("frames", position: 0, batch(first, 0..<12, generation: 0))
        // The second clip continues the stream under prompt 1, whose text has not arrived.
        try h.feed("frames", position: 1, batch(second, 0..<12, first: 12, generation: 1))
        XCTAssertEqual(try h.payloads("scores", as: RewardScores.self).map(\.promptGeneration), [0])
        XCTAssertEqual(h.leftovers.pendingWork, ["frames 12..<24 wait for the embedding of prompt generation 1"])
        try h.feed("text", position: 1, text(second.prompts["extra"]!, generation: 1))
        try h.feed("frames", position: 2, batch(second, 12..<24, first: 24, generation: 1))
        let out = try h.readOutputs("scores").map { try $0.value(as: RewardScores.self) }
        XCTAssertEqual(out.map(\.promptGeneration), [1, 1])
        XCTAssertEqual(out.map(\.firstFrame), [12, 24])
        for s in out { for p in s.probabilities { XCTAssertEqual(p, 0.99, accuracy: 1e-5) } }
        try h.finishClean()

        // Scored against the other prompt instead, the second clip falls: the pairing is what made it high.
        let crossed = meanProbability(try scores(second, prompt: first.prompts["train"]!))
        XCTAssertLessThan(crossed, 0.6)
    }

    /// Candidates of one block (same frames indices, different content) are scored each on its own, carry their
    /// tag, and leave the plain stream's windows alone.
    func testCandidateBatchesAreScoredAloneAndKeepTheirTag() throws {
        let good = try clip("bounce (true)"), bad = try clip("bounce (perturbed: shape)")
        let h = try harness()
        try h.feed("text", position: 0, text(good.prompts["train"]!, generation: 0))
        try h.feed("frames", position: 0, batch(good, 0..<10, generation: 0))       // plain stream: 2 windows, 2 frames held
        let tags = (0..<2).map { Candidate(block: 1, index: $0, count: 2, parent: nil) }
        try h.feed("frames", position: 1, batch(good, 12..<24, first: 10, generation: 0, candidate: tags[0]))
        try h.feed("frames", position: 1, batch(bad, 12..<24, first: 10, generation: 0, candidate: tags[1]))
        try h.feed("frames", position: 2, batch(good, 10..<12, generation: 0))     // completes the plain window 8..<12
        let out = try h.payloads("scores", as: RewardScores.self)
        XCTAssertEqual(out.map(\.candidate), [nil, tags[0], tags[1], nil])
        XCTAssertEqual(out.map(\.windowCount), [2, 3, 3, 1])
        XCTAssertEqual(out.map(\.firstFrame), [0, 10, 10, 8])
        XCTAssertGreaterThan(try XCTUnwrap(out[1].meanProbability), try XCTUnwrap(out[2].meanProbability) + 0.1)
        XCTAssertEqual(try XCTUnwrap(out[1].meanProbability), 0.99, accuracy: 1e-5)
        XCTAssertEqual(try XCTUnwrap(out[3].meanProbability), 0.99, accuracy: 1e-5)
        try h.finishClean()
        XCTAssertFalse(h.logLines.last!.contains("dropped"), h.logLines.joined(separator: "\n"))
    }

    func testAPromptWithNothingRecognisableIsAnErrorNamingIt() throws {
        let h = try harness()
        let prompt = try XCTUnwrap(fixture.clips[0].prompts["heldout"])
        XCTAssertThrowsError(try h.feed("text", position: 0, text(prompt, generation: 4))) { error in
            XCTAssertTrue("\(error)".contains("prompt generation 4"), "\(error)")
            XCTAssertTrue("\(error)".contains("'\(prompt)'"), "\(error)")
        }
    }

    func testFramesOfAnotherSizeAreAnError() throws {
        let h = try harness()
        XCTAssertThrowsError(try h.feed("frames", position: 0, FrameBatch(width: 32, height: 32, firstFrame: 0, fps: 16,
                                                                           rgb: [UInt8](repeating: 0, count: 32 * 32 * 3 * 4),
                                                                           promptGeneration: 0))) { error in
            XCTAssertTrue("\(error)".contains("32x32"), "\(error)")
        }
    }

    /// A model folder whose world has another palette is refused: the rules are world.py's.
    func testAWorldWithAnotherPaletteIsRefused() throws {
        var colours = Dictionary(uniqueKeysWithValues: SyntheticWorld.objectColours.map { ($0.name, [Int($0.r), Int($0.g), Int($0.b)]) })
        let dir = try verifierModelFolder(self, world: ["width": 64, "height": 64, "colours": colours])
        XCTAssertNoThrow(try NodeHarness(RewardVerifierNode.self, params: ["model": .string(dir)]))
        colours["red"] = [200, 0, 0]
        let other = try verifierModelFolder(self, world: ["width": 64, "height": 64, "colours": colours])
        XCTAssertThrowsError(try NodeHarness(RewardVerifierNode.self, params: ["model": .string(other)])) { error in
            XCTAssertTrue("\(error)".contains("world.colours"), "\(error)")
        }
    }

    /// The shipped model's config.json (when exported) carries world.py's palette, and binds the frame size.
    func testTheShippedWorldEntryIsAccepted() throws {
        let shipped = Repository.root.appendingPathComponent("Models/world-tiny").path
        guard let folder = try? ModelFolder(path: shipped) else { throw XCTSkip("Models/world-tiny not exported yet") }
        let world = try WorldConfig(folder: folder)
        XCTAssertEqual([world.width, world.height], [64, 64])
        XCTAssertTrue(RewardNodes.types.contains { $0 == RewardVerifierNode.self })
    }
}

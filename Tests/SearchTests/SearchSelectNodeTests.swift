import XCTest
import FlowKit
@testable import SearchNodes

/// search.select alone: tagged frames and rewards in, the choice and the chosen history out.
final class SearchSelectNodeTests: XCTestCase {
    private func frames(_ tag: Candidate) -> FrameBatch {
        FrameBatch(width: 2, height: 2, firstFrame: tag.block * 4, fps: 16,
                   rgb: [UInt8](repeating: UInt8(tag.index * 10 + tag.block), count: 4 * 2 * 2 * 3), promptGeneration: 0, candidate: tag)
    }

    /// A reward whose windows all have probability `p`.
    private func reward(_ tag: Candidate, _ p: Float) -> RewardScores {
        let logit = Float(log(Double(p) / (1 - Double(p))))
        return RewardScores(firstFrame: tag.block * 4, windowFrames: 4, promptGeneration: 0, logits: [logit], candidate: tag)
    }

    private func feed(_ h: NodeHarness<SearchSelectNode>, _ tag: Candidate, _ p: Float) throws {
        try h.feed("frames", position: tag.block, frames(tag))
        try h.feed("scores", position: tag.block, reward(tag, p))
    }

    func testBestOfNKeepsTheHighestRewardAndWritesItsFrames() throws {
        let h = try NodeHarness(SearchSelectNode.self, params: ["beams": .int(1)])
        let first = (0..<3).map { Candidate(block: 0, index: $0, count: 3, parent: nil) }
        for (tag, p) in zip(first, [0.2, 0.7, 0.5] as [Float]) { try feed(h, tag, p) }
        let choice = try h.payloads("choice", as: BeamChoice.self)
        XCTAssertEqual(choice.map(\.kept), [[first[1]]])
        let second = (0..<3).map { Candidate(block: 1, index: $0, count: 3, parent: first[1].id) }
        try feed(h, second[0], 0.9)
        XCTAssertEqual(try h.payloads("choice", as: BeamChoice.self).count, 1, "no choice before every candidate is in")
        try feed(h, second[2], 0.3)
        try feed(h, second[1], 0.4)
        XCTAssertEqual(try h.payloads("choice", as: BeamChoice.self).last?.kept, [second[0]])
        try h.close("frames")
        try h.close("scores")
        let written = try h.payloads("frames", as: FrameBatch.self)
        XCTAssertEqual(written.map(\.rgb.first), [10, 1], "candidate 1 of block 0, then candidate 0 of block 1")
        XCTAssertTrue(written.allSatisfy { $0.candidate == nil }, "the output is a plain stream")
        XCTAssertEqual(h.outputs("frames").map(\.position), [0, 1])
        try h.finishClean()
        XCTAssertTrue(h.logLines.last?.contains("2 blocks, 3.0 candidates a block") == true, h.logLines.joined())
    }

    func testTwoBeamsHoldFramesUntilTheHistoryIsSettled() throws {
        let h = try NodeHarness(SearchSelectNode.self, params: ["beams": .int(2), "block_weight": .float(1)])
        let first = (0..<2).map { Candidate(block: 0, index: $0, count: 2, parent: nil) }
        try feed(h, first[0], 0.6)
        try feed(h, first[1], 0.8)
        XCTAssertEqual(try h.payloads("choice", as: BeamChoice.self).last?.kept, [first[1], first[0]])
        XCTAssertTrue(h.outputs("frames").isEmpty, "two beams alive: block 0 is not settled")
        // Both kept candidates of block 1 descend from first[0]: block 0 is settled as first[0].
        let second = [Candidate(block: 1, index: 0, count: 4, parent: first[1].id), Candidate(block: 1, index: 1, count: 4, parent: first[1].id),
                      Candidate(block: 1, index: 2, count: 4, parent: first[0].id), Candidate(block: 1, index: 3, count: 4, parent: first[0].id)]
        for (tag, p) in zip(second, [0.1, 0.2, 0.9, 0.7] as [Float]) { try feed(h, tag, p) }
        XCTAssertEqual(try h.payloads("choice", as: BeamChoice.self).last?.kept, [second[2], second[3]])
        XCTAssertEqual(try h.payloads("frames", as: FrameBatch.self).map(\.rgb.first), [0])
        try h.close("scores")
        try h.close("frames")
        XCTAssertEqual(try h.payloads("frames", as: FrameBatch.self).map(\.rgb.first), [0, 21])
        try h.finishClean()
    }

    func testUntaggedFramesAreRefusedWithAReason() throws {
        let h = try NodeHarness(SearchSelectNode.self)
        XCTAssertThrowsError(try h.feed("frames", position: 0, FrameBatch(width: 1, height: 1, firstFrame: 0, fps: 16, rgb: [0, 0, 0]))) {
            XCTAssertTrue("\($0)".contains("without a candidate tag"), "\($0)")
        }
    }

    func testAnUndecidedBlockIsReportedAsPendingWork() throws {
        let h = try NodeHarness(SearchSelectNode.self)
        try feed(h, Candidate(block: 0, index: 0, count: 2, parent: nil), 0.5)
        XCTAssertEqual(h.node.pendingWork, ["block 0: 1 of 2 candidates' frames and 1 rewards arrived; never decided"])
    }
}

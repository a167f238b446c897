import XCTest
import FlowKit
@testable import SearchNodes

/// speculative.gate alone: a draft is kept when its weakest window reaches tau, never the first block.
final class SpeculativeGateNodeTests: XCTestCase {
    private func draft(_ block: Int) -> LatentBlock {
        LatentBlock(latents: Tensor(shape: [3, 1, 1, 1], repeating: Float(block)), firstLatentFrame: 3 * block, promptGeneration: 0)
    }

    private func scores(_ block: Int, _ probabilities: [Double]) -> RewardScores {
        RewardScores(firstFrame: 12 * block, windowFrames: 4, promptGeneration: 0, logits: probabilities.map { Float(log($0 / (1 - $0))) })
    }

    func testTheWeakestWindowDecidesAndTheFirstBlockIsTheTargets() throws {
        let h = try NodeHarness(SpeculativeGateNode.self, params: ["tau": .float(0.5)])
        for (block, p) in [(0, [0.9, 0.9, 0.9]), (1, [0.9, 0.6, 0.7]), (2, [0.9, 0.4, 0.95])] {
            try h.feed("scores", position: block, scores(block, p))
            try h.feed("latents", position: block, draft(block))
        }
        let verdicts = try h.payloads("verdict", as: DraftVerdict.self)
        XCTAssertEqual(verdicts.map(\.accepted), [false, true, false])
        XCTAssertEqual(verdicts.map { $0.reward.map { Double($0) } ?? -1 }, [0.9, 0.6, 0.4], accuracy: 1e-5)
        XCTAssertEqual(verdicts[1].draft.firstLatentFrame, 3)
        try h.finishClean()
        XCTAssertTrue(h.logLines.last?.contains("1 of 3 drafted block(s) accepted") == true, h.logLines.joined())
    }

    func testADraftWithoutItsRewardIsPendingWork() throws {
        let h = try NodeHarness(SpeculativeGateNode.self)
        try h.feed("latents", position: 0, draft(0))
        XCTAssertEqual(h.node.pendingWork, ["block 0: a draft or its reward never arrived"])
    }
}

private func XCTAssertEqual(_ a: [Double], _ b: [Double], accuracy: Double, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.count, b.count, file: file, line: line)
    for (x, y) in zip(a, b) { XCTAssertEqual(x, y, accuracy: accuracy, file: file, line: line) }
}

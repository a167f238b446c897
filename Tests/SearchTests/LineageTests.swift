import XCTest
import FlowKit
@testable import SearchNodes

final class LineageTests: XCTestCase {
    private func entry(block: Int, index: Int, count: Int, parent: Int?, reward: Float, history: [Float] = []) -> Lineage.Entry {
        let tag = Candidate(block: block, index: index, count: count, parent: parent)
        let frames = FrameBatch(width: 1, height: 1, firstFrame: block * 12, fps: 16, rgb: [UInt8](repeating: UInt8(index), count: 3),
                                candidate: tag)
        return Lineage.Entry(tag: tag, frames: frames, history: history + [reward])
    }

    func testOneBeamMakesEveryChoiceFinalAtOnce() {
        var lineage = Lineage()
        let a = entry(block: 0, index: 2, count: 4, parent: nil, reward: 0.9)
        XCTAssertEqual(lineage.keep([a]).map(\.candidate), [a.tag])
        let b = entry(block: 1, index: 1, count: 4, parent: a.tag.id, reward: 0.5)
        XCTAssertEqual(lineage.keep([b]).map(\.candidate), [b.tag])
        XCTAssertEqual(lineage.nextFinalBlock, 2)
        XCTAssertTrue(lineage.finishBest().isEmpty)
    }

    func testTwoBeamsWaitUntilTheyShareAnAncestor() {
        var lineage = Lineage()
        let a0 = entry(block: 0, index: 0, count: 2, parent: nil, reward: 0.9)
        let a1 = entry(block: 0, index: 1, count: 2, parent: nil, reward: 0.8)
        XCTAssertTrue(lineage.keep([a0, a1]).isEmpty, "two different first blocks: nothing is final")
        // Both kept candidates of block 1 continue a1: block 0 is settled (a1), block 1 is not.
        let b0 = entry(block: 1, index: 2, count: 4, parent: a1.tag.id, reward: 0.7)
        let b1 = entry(block: 1, index: 3, count: 4, parent: a1.tag.id, reward: 0.6)
        XCTAssertEqual(lineage.keep([b0, b1]).map(\.candidate?.id), [a1.tag.id])
        XCTAssertEqual(lineage.nextFinalBlock, 1)
        // End of stream: the best beam's history from block 1.
        XCTAssertEqual(lineage.finishBest().map(\.candidate?.id), [b0.tag.id])
        XCTAssertEqual(lineage.nextFinalBlock, 2)
    }

    func testABeamsHistoryKeepsItsBlocksInOrder() {
        var lineage = Lineage()
        let a0 = entry(block: 0, index: 0, count: 2, parent: nil, reward: 0.9)
        let a1 = entry(block: 0, index: 1, count: 2, parent: nil, reward: 0.8)
        _ = lineage.keep([a0, a1])
        let b0 = entry(block: 1, index: 0, count: 4, parent: a0.tag.id, reward: 0.2)
        let b1 = entry(block: 1, index: 2, count: 4, parent: a1.tag.id, reward: 0.9)
        XCTAssertTrue(lineage.keep([b1, b0]).isEmpty)
        XCTAssertEqual(lineage.finishBest().map(\.candidate?.id), [a1.tag.id, b1.tag.id])
    }

    func testTheSelectionScoreWeighsTheBlockAgainstItsHistory() {
        let score = SelectionScore(blockWeight: 0.5, history: 2)
        XCTAssertEqual(score([0.2, 0.4, 0.8]), 0.5 * 0.8 + 0.5 * 0.6, accuracy: 1e-6)
        XCTAssertEqual(SelectionScore(blockWeight: 1, history: 10)([0.1, 0.3]), 0.3, accuracy: 1e-6)
    }
}

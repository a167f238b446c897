import XCTest
import FlowKit
@testable import FrameTint

final class FrameTintTests: XCTestCase {
    func testTintMixesTowardsTheColour() throws {
        let harness = try NodeHarness(FrameTint.self, params: ["color": .list([.int(255), .int(0), .int(0)]), "amount": .float(0.5)])
        let frame = FrameBatch(width: 1, height: 1, firstFrame: 0, fps: 16, rgb: [0, 100, 200])
        try harness.feed("frames", position: 0, frame)
        XCTAssertEqual(try harness.payloads("frames", as: FrameBatch.self).first?.rgb, [128, 50, 100])
    }

    func testColourNeedsThreeValues() {
        XCTAssertThrowsError(try NodeHarness(FrameTint.self, params: ["color": .list([.int(1)])]))
    }
}

import XCTest
import FlowKit
@testable import CacheNodes

/// Given the denoiser's model, cache.manager takes the sink and window the model was trained with, and
/// says so when a graph departs from them.
final class CacheTrainedWindowTests: XCTestCase {
    func testDefaultsComeFromTheModel() throws {
        let h = try NodeHarness(CacheManagerNode.self, params: ["model": .string(Fixtures.modelFolder)])
        XCTAssertEqual(h.node.store.policy.sinkFrames, 3)
        XCTAssertEqual(h.node.store.policy.windowFrames, 9)
        XCTAssertEqual(h.warnings, [])
    }

    func testADepartureIsAWarningAndIsHonoured() throws {
        let h = try NodeHarness(CacheManagerNode.self, params: ["model": .string(Fixtures.modelFolder), "window": .int(12)])
        XCTAssertEqual(h.node.store.policy.windowFrames, 12)
        XCTAssertEqual(h.node.store.policy.sinkFrames, 3)
        XCTAssertEqual(h.warnings.count, 1)
        XCTAssertTrue(h.warnings[0].contains("window 12 departs from the 9 latent frames"), h.warnings[0])
    }

    func testWithoutAModelTheWrittenValuesApplySilently() throws {
        let h = try NodeHarness(CacheManagerNode.self, params: ["window": .int(5), "sink": .int(1)])
        XCTAssertEqual(h.node.store.policy.windowFrames, 5)
        XCTAssertEqual(h.node.store.policy.sinkFrames, 1)
        XCTAssertEqual(h.warnings, [])
    }

    func testAMissingModelIsAnError() {
        XCTAssertThrowsError(try NodeHarness(CacheManagerNode.self, params: ["model": .string("/nonexistent/model")]))
    }
}

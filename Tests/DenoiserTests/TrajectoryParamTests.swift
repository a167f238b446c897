import XCTest
import FlowKit
@testable import DenoiserNodes

/// GRPO's denoiser params: trajectories and KVPO-style routing belong to a search, and routing keeps the sink.
final class TrajectoryParamTests: XCTestCase {
    func testTrajectoriesAndRoutingWithoutASearchAreParamErrors() {
        for (param, value) in [("trajectories", ParamValue.bool(true)), ("branching", .string("kv-routing"))] {
            XCTAssertThrowsError(try NodeHarness(DenoiserBlockNode.self, params: ["model": .string(Fixtures.modelFolder), param: value])) { error in
                XCTAssertTrue("\(error)".contains("param '\(param)'") && "\(error)".contains("belong to a search"), "\(error)")
            }
        }
        XCTAssertNoThrow(try NodeHarness(DenoiserBlockNode.self, params: ["model": .string(Fixtures.modelFolder), "candidates": .int(2),
                                                                          "trajectories": .bool(true), "branching": .string("kv-routing")]))
    }

    func testRoutingKeepsTheSinkAndCandidateZerosHistory() {
        func frame(_ p: Int) -> KVFrame { KVFrame(position: p, keys: [], values: [], latent: nil, promptGeneration: 0, keysRotated: true) }
        let prefix = AttentionPrefix(sink: [0, 1, 2].map(frame), window: [3, 4, 5, 6, 7, 8].map(frame))
        let none = KVRouting(keep: 0, seed: 7), all = KVRouting(keep: 1, seed: 7), half = KVRouting(keep: 0.5, seed: 7)
        XCTAssertEqual(none.route(prefix, block: 3, candidate: 0).frames.map(\.position), Array(0...8), "candidate 0 sees everything")
        XCTAssertEqual(none.route(prefix, block: 3, candidate: 1).frames.map(\.position), [0, 1, 2], "keep 0: the sink alone")
        XCTAssertEqual(all.route(prefix, block: 3, candidate: 2).frames.map(\.position), Array(0...8))
        let kept = (1..<200).map { half.route(prefix, block: 3, candidate: $0).window.count }
        XCTAssertEqual(Double(kept.reduce(0, +)) / Double(kept.count * 6), 0.5, accuracy: 0.06, "about half the window frames stay")
        XCTAssertEqual(half.route(prefix, block: 3, candidate: 5).frames.map(\.position), half.route(prefix, block: 3, candidate: 5).frames.map(\.position),
                       "the routing is a function of seed, block, candidate and position")
    }
}

import Foundation
import XCTest
import FlowKit
import FlowCore
@testable import CacheNodes

/// Graphs/best-of-n.yaml end to end on the shipped model (its reward model is real; the fixture model has none).
extension GraphEndToEndTests {
    private var shippedModel: String { Self.repoRoot.appendingPathComponent("Models/world-tiny").path }

    /// One candidate of one beam, without noise sharing, is the plain stream: the search machinery (tags,
    /// batched calls, per-beam caches, per-lineage decoding, selection) changes no pixel.
    func testASearchOfOneCandidateIsThePlainStream() throws {
        let (_, plain, plainVideo) = try run(graph: "longlive.yaml", edits: [], overrides: ["frames=36", "seed=3"], model: shippedModel)
        let (_, search, searchVideo) = try run(graph: "best-of-n.yaml", edits: [],
                                              overrides: ["frames=36", "seed=3", "candidates=1", "beams=1", "noise_share=0"],
                                              model: shippedModel)
        guard case .completed = plain, case .completed = search else { return XCTFail("runs: \(plain), \(search)") }
        let a = try Self.decodedFrames(plainVideo), b = try Self.decodedFrames(searchVideo)
        XCTAssertEqual(a.count, 36 * 64 * 64 * 3)
        let differing = zip(a, b).filter { $0 != $1 }.count
        let frameBytes = 64 * 64 * 3
        let firstDiffering = (0..<(a.count / frameBytes)).first { f in a[(f * frameBytes)..<((f + 1) * frameBytes)] != b[(f * frameBytes)..<((f + 1) * frameBytes)] }
        let worst = zip(a, b).reduce(0) { max($0, abs(Int($1.0) - Int($1.1))) }
        print("one-candidate search vs longlive.yaml: \(differing) bytes differ by at most \(worst), first differing frame \(firstDiffering.map(String.init) ?? "none")")
        XCTAssertEqual(differing, 0, "the one-candidate search decodes to other pictures than longlive.yaml")
    }

    /// Two beams of two candidates: every block decided, only the chosen history written, and the same
    /// pictures on a second run.
    func testABeamSearchWritesOneDeterministicHistory() throws {
        let overrides = ["frames=36", "seed=1", "candidates=2", "beams=2"]
        let (runA, a, videoA) = try run(graph: "best-of-n.yaml", edits: [], overrides: overrides, model: shippedModel)
        let (_, b, videoB) = try run(graph: "best-of-n.yaml", edits: [], overrides: overrides, model: shippedModel)
        guard case .completed = a, case .completed = b else { return XCTFail("runs: \(a), \(b)") }
        let framesA = try Self.decodedFrames(videoA)
        XCTAssertEqual(framesA.count, 36 * 64 * 64 * 3, "3 blocks of the chosen history, no candidate extra")
        XCTAssertTrue(framesA == (try Self.decodedFrames(videoB)), "two runs of one search differ")
        let stats = runA.stats.nodes
        XCTAssertEqual(stats.first { $0.id == "search/judge" }?.itemsOut, 2 + 2 * 4, "2 first-block candidates, then 2 beams x 2")
        XCTAssertEqual(stats.first { $0.id == "search/select" }?.itemsOut, 3 + 3, "3 choices and 3 blocks of frames")
    }
}

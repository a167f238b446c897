import Foundation
import XCTest
import FlowKit
import FlowCore

/// Graphs/longlive-rag.yaml end to end on the shipped model (the fixture model has no descriptor): the
/// position-free cache, memory.retriever in the loop, and the retrieval log.
extension GraphEndToEndTests {
    func testTheRAGGraphRetrievesOnlyOlderEvictedFramesAndWritesEveryFrame() throws {
        let model = Self.repoRoot.appendingPathComponent("Models/world-tiny").path
        let logFile = try temporaryDirectory().appendingPathComponent("memory.jsonl")
        let (run, outcome, video) = try run(graph: "longlive-rag.yaml", edits: [],
                                            overrides: ["frames=96", "seed=2", "memory_log=\(logFile.path)"], model: model)
        guard case .completed = outcome else { return XCTFail("run: \(outcome)") }
        XCTAssertEqual(try Self.decodedFrames(video).count, 96 * 64 * 64 * 3)
        let lines = try String(contentsOf: logFile, encoding: .utf8).split(separator: "\n")
        struct Line: Decodable { let block: Int; let query_position: Int?; let retrieved: [Int]; let scores: [Float] }
        let entries = try lines.map { try JSONDecoder().decode(Line.self, from: Data($0.utf8)) }
        XCTAssertGreaterThanOrEqual(entries.count, 8, "one line per block the retriever answered")
        var retrieved = 0
        for e in entries where e.block >= 1 {
            // Before block b the window evicted positions 3 ... 3b - 7; the 5 most recent are not candidates.
            XCTAssertEqual(e.query_position, 3 * e.block - 1, "block \(e.block) queries with the newest frame")
            XCTAssertTrue(e.retrieved.allSatisfy { $0 >= 3 && $0 <= 3 * e.block - 12 }, "block \(e.block) retrieved \(e.retrieved)")
            XCTAssertEqual(e.retrieved.count, min(3, max(0, 3 * e.block - 14)), "block \(e.block): k, or every candidate (3b - 9 evicted, 5 of them too recent)")
            XCTAssertTrue(e.scores.allSatisfy { $0 <= 1.0001 && $0 >= -1.0001 })
            retrieved += e.retrieved.count
        }
        XCTAssertGreaterThan(retrieved, 0)
        XCTAssertEqual(run.stats.nodes.first { $0.id == "gen/memory" }?.itemsOut, 8, "a context for every block after the first")
    }
}

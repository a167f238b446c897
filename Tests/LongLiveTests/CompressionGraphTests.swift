import Foundation
import XCTest
import FlowKit
import FlowCore
import BuiltinNodes
@testable import CacheNodes

/// cache.manager's `compress: attention` through Graphs/interactive.yaml (generate-video.yaml's kv node) on the
/// fixture model: 72 frames (6 blocks, so the window slides) with a prompt switch and re-cache at frame 24.
final class CompressionGraphTests: XCTestCase {
    struct Outcome {
        let frames: Data
        let log: [String]
        let kv: CacheManagerNode
    }

    /// interactive.yaml with the text encoder stubbed, `compress` and `keep` passed to the generation block, and
    /// every log line kept. Frames go to a PNG sequence (lossless: an MP4's rate control looks ahead, so a change
    /// late in the video could change its early pictures).
    func run(compress: String, keep: Double = 0.5, quantize: String = "none") throws -> Outcome {
        _ = GraphEndToEndTests.stubRegistered
        var text = try String(contentsOf: GraphEndToEndTests.repoRoot.appendingPathComponent("Graphs/interactive.yaml"), encoding: .utf8)
        for (a, b) in [("type: text.encoder", "type: test.text_stub"), ("at: 240", "at: 24"),
                       ("sink_update: ${sink_update},", "sink_update: ${sink_update}, compress: \(compress), keep: \(keep),")] {
            XCTAssertTrue(text.contains(a), "graph has '\(a)'")
            text = text.replacingOccurrences(of: a, with: b)
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("compression-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.copyItem(at: GraphEndToEndTests.repoRoot.appendingPathComponent("Graphs/lib"), to: dir.appendingPathComponent("lib"))
        let path = dir.appendingPathComponent("interactive.yaml")
        try text.write(to: path, atomically: true, encoding: .utf8)
        let result = GraphCompiler(cores: 2).compile(file: path.path, overrides: ["frames=72", "quantize=\(quantize)",
                                                                                  "model=\(Fixtures.modelFolder)", "out=\(dir.path)/frames/frame_%05d.png"])
        guard let compiled = result.graph else {
            XCTFail(result.renderer.render(result.diagnostics))
            throw NodeError("compile failed")
        }
        let lines = LogLines()
        let run = try GraphRun(graph: compiled, options: RunOptions(log: { lines.append($0) }))
        let outcome = run.run()
        guard case .completed = outcome else { throw NodeError("run: \(outcome)") }
        let frames = try GraphEndToEndTests.decodedFrames(dir.appendingPathComponent("frames/frame_%05d.png"))
        XCTAssertEqual(frames.count, 72 * 64 * 64 * 3)
        return Outcome(frames: frames, log: lines.all, kv: try XCTUnwrap(run.instance("gen/kv") as? CacheManagerNode))
    }

    final class LogLines: @unchecked Sendable {
        private let lock = NSLock()
        private var lines: [String] = []
        func append(_ line: String) { lock.withLock { lines.append(line) } }
        var all: [String] { lock.withLock { lines } }
    }

    /// Mean absolute difference of two decoded videos, in 8-bit pixel levels.
    static func meanDifference(_ a: Data, _ b: Data) -> Double {
        Double(zip(a, b).reduce(0) { $0 + abs(Int($1.0) - Int($1.1)) }) / Double(a.count)
    }

    func testAttentionCompressionRunsSavesMemoryAndStaysCloseForKeepNearOne() throws {
        let none = try run(compress: "none")
        let half = try run(compress: "attention", keep: 0.5)
        let most = try run(compress: "attention", keep: 0.9)
        let all = try run(compress: "attention", keep: 1)

        let s = half.kv.store.stats
        XCTAssertEqual(s.recachePasses, 1, "the switch at frame 24 re-caches")
        XCTAssertGreaterThan(s.compressedFrames, 9, "sink and window frames, the re-cached ones again")
        XCTAssertEqual(s.compressedTokensKept * 2, s.compressedTokensSeen)
        XCTAssertLessThan(s.peakBytes, none.kv.store.stats.peakBytes)
        XCTAssertEqual(s.peakUncompressedBytes, none.kv.store.stats.peakBytes)
        let line = try XCTUnwrap(half.log.first { $0.contains("attention compression") }, half.log.joined(separator: "\n"))
        XCTAssertTrue(line.contains("keep 0.5, observe 1") && line.contains("tokens kept per layer and head (50.0%)") && line.contains("saves"), line)
        XCTAssertFalse(none.log.contains { $0.contains("attention compression") })

        print(line)
        XCTAssertTrue(all.frames == none.frames, "keep 1 keeps every token: the same pictures")
        // Blocks 0 and 1 (24 frames) are made before anything is compressed (block 1's pass reports on the sink).
        let early = 24 * 64 * 64 * 3
        XCTAssertTrue(half.frames.prefix(early) == none.frames.prefix(early))
        let halfDiff = Self.meanDifference(half.frames, none.frames), mostDiff = Self.meanDifference(most.frames, none.frames)
        print("compress: attention vs none, mean |pixel difference|: keep 0.5 \(halfDiff), keep 0.9 \(mostDiff); peak K/V \(s.peakBytes) of \(s.peakUncompressedBytes) bytes")
        XCTAssertGreaterThan(halfDiff, 0, "dropping half the tokens changes the video")
        XCTAssertLessThan(mostDiff, halfDiff)
        XCTAssertLessThan(mostDiff, 1, "keep 0.9 stays close (under one 8-bit level on average)")
    }

    func testCompressionStacksWithInt8AndRefusesAPositionFreeCache() throws {
        let both = try run(compress: "attention", keep: 0.5, quantize: "int8")
        let line = try XCTUnwrap(both.log.first { $0.contains("attention compression") })
        XCTAssertTrue(line.contains("int8 storage saves"), line)
        XCTAssertLessThan(both.kv.store.stats.peakBytes, both.kv.store.stats.peakUncompressedBytes)

        // positions: infinity keeps keys before RoPE: compression refuses them, naming the param and the mode.
        _ = GraphEndToEndTests.stubRegistered
        var text = try String(contentsOf: GraphEndToEndTests.repoRoot.appendingPathComponent("Graphs/interactive.yaml"), encoding: .utf8)
        text = text.replacingOccurrences(of: "type: text.encoder", with: "type: test.text_stub")
            .replacingOccurrences(of: "sink_update: ${sink_update},", with: "sink_update: ${sink_update}, compress: attention, positions: infinity,")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("compression-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.copyItem(at: GraphEndToEndTests.repoRoot.appendingPathComponent("Graphs/lib"), to: dir.appendingPathComponent("lib"))
        let path = dir.appendingPathComponent("interactive.yaml")
        try text.write(to: path, atomically: true, encoding: .utf8)
        let compiled = try XCTUnwrap(GraphCompiler(cores: 2).compile(file: path.path, overrides: ["frames=24", "model=\(Fixtures.modelFolder)",
                                                                                                  "out=\(dir.path)/out.mp4"]).graph)
        let outcome = try GraphRun(graph: compiled, options: RunOptions()).run()
        guard case .failed(let failure) = outcome else { return XCTFail("a position-free cache under compress: attention ran: \(outcome)") }
        XCTAssertTrue("\(failure)".contains("compress: attention") && "\(failure)".contains("positions: infinity"), "\(failure)")
    }
}

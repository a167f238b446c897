import Foundation
import XCTest
import FlowKit
import FlowCore
import BuiltinNodes
@testable import CacheNodes

/// Graphs/interactive.yaml and Graphs/longlive.yaml run end to end on the fixture model, with the
/// text encoder replaced by a stub (the real one needs MiniLM weights) and a short timeline.
final class GraphEndToEndTests: XCTestCase {
    static let stubRegistered: Void = {
        BuiltinNodes.register()
        try? NodeRegistry.shared.register(TextStubNode.self, origin: "LongLiveTests")
    }()

    static var repoRoot: URL {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url
    }

    func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("longlive-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Copies a shipped graph with the text encoder stubbed, then compiles and runs it.
    func run(graph name: String, edits: [(String, String)], overrides: [String], sequential: Bool = false) throws -> (GraphRun, RunOutcome, URL) {
        _ = Self.stubRegistered
        var text = try String(contentsOf: Self.repoRoot.appendingPathComponent("Graphs/\(name)"), encoding: .utf8)
        XCTAssertTrue(text.contains("type: text.encoder"))
        text = text.replacingOccurrences(of: "type: text.encoder", with: "type: test.text_stub")
        for (a, b) in edits {
            XCTAssertTrue(text.contains(a), "graph has '\(a)'")
            text = text.replacingOccurrences(of: a, with: b)
        }
        let dir = try temporaryDirectory()
        let path = dir.appendingPathComponent(name)
        try text.write(to: path, atomically: true, encoding: .utf8)
        let result = GraphCompiler(cores: 2).compile(file: path.path, overrides: overrides + ["model=\(Fixtures.modelFolder)", "out=\(dir.path)/out.mp4"])
        guard let compiled = result.graph else {
            XCTFail(result.renderer.render(result.diagnostics))
            throw NodeError("compile failed")
        }
        let run = try GraphRun(graph: compiled, options: RunOptions(sequential: sequential))
        return (run, run.run(), dir.appendingPathComponent("out.mp4"))
    }

    static func frameCount(_ video: URL) throws -> Int {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/ffprobe")
        p.arguments = ["-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries", "stream=nb_read_frames",
                       "-of", "csv=p=0", video.path]
        let pipe = Pipe()
        p.standardOutput = pipe
        try p.run()
        p.waitUntilExit()
        let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return Int(out.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
    }

    func testInteractiveGraphSwitchesPromptWithRecache() throws {
        let (run, outcome, video) = try run(graph: "interactive.yaml", edits: [("at: 240", "at: 24")], overrides: ["frames=48"])
        guard case .completed = outcome else { return XCTFail("run: \(outcome)") }
        XCTAssertEqual(try Self.frameCount(video), 48)
        let kv = try XCTUnwrap(run.instance("kv") as? CacheManagerNode)
        XCTAssertEqual(kv.store.stats.appendedFrames, 12)
        XCTAssertEqual(kv.store.stats.recachePasses, 1, "one switch, one re-cache")
        XCTAssertEqual(kv.store.stats.recacheFrames, 3, "the window before block 2 holds frames 3..5")
        XCTAssertEqual(kv.store.policy.precision, .int8)
    }

    func testLongLiveGraphSequentialMatchesPipelined() throws {
        let (_, a, videoA) = try run(graph: "longlive.yaml", edits: [], overrides: ["frames=36"])
        let (_, b, videoB) = try run(graph: "longlive.yaml", edits: [], overrides: ["frames=36"], sequential: true)
        guard case .completed = a, case .completed = b else { return XCTFail("runs: \(a), \(b)") }
        XCTAssertEqual(try Self.frameCount(videoA), 36)
        // Same seed, same graph: the same file, however the stages were scheduled.
        XCTAssertEqual(try Data(contentsOf: videoA), try Data(contentsOf: videoB))
    }
}

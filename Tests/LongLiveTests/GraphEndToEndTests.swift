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

    /// Copies a shipped graph with the text encoder stubbed (and the subgraphs it includes), then compiles and runs it.
    func run(graph name: String, edits: [(String, String)], overrides: [String], sequential: Bool = false,
             model: String = Fixtures.modelFolder) throws -> (GraphRun, RunOutcome, URL) {
        _ = Self.stubRegistered
        var text = try String(contentsOf: Self.repoRoot.appendingPathComponent("Graphs/\(name)"), encoding: .utf8)
        XCTAssertTrue(text.contains("type: text.encoder"))
        text = text.replacingOccurrences(of: "type: text.encoder", with: "type: test.text_stub")
        for (a, b) in edits {
            XCTAssertTrue(text.contains(a), "graph has '\(a)'")
            text = text.replacingOccurrences(of: a, with: b)
        }
        let dir = try temporaryDirectory()
        try FileManager.default.copyItem(at: Self.repoRoot.appendingPathComponent("Graphs/lib"), to: dir.appendingPathComponent("lib"))
        let path = dir.appendingPathComponent(name)
        try text.write(to: path, atomically: true, encoding: .utf8)
        let result = GraphCompiler(cores: 2).compile(file: path.path, overrides: overrides + ["model=\(model)", "out=\(dir.path)/out.mp4"])
        guard let compiled = result.graph else {
            XCTFail(result.renderer.render(result.diagnostics))
            throw NodeError("compile failed")
        }
        let run = try GraphRun(graph: compiled, options: RunOptions(sequential: sequential))
        return (run, run.run(), dir.appendingPathComponent("out.mp4"))
    }

    /// The video's frames as raw RGB24, decoded by ffmpeg.
    static func decodedFrames(_ video: URL) throws -> Data {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/ffmpeg")
        p.arguments = ["-v", "error", "-i", video.path, "-f", "rawvideo", "-pix_fmt", "rgb24", "-"]
        let pipe = Pipe()
        p.standardOutput = pipe
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0, "ffmpeg could not decode \(video.lastPathComponent)")
        return data
    }

    static func frameCount(_ video: URL) throws -> Int { try decodedFrames(video).count / (64 * 64 * 3) }

    func testInteractiveGraphSwitchesPromptWithRecache() throws {
        let (run, outcome, video) = try run(graph: "interactive.yaml", edits: [("at: 240", "at: 24")], overrides: ["frames=48"])
        guard case .completed = outcome else { return XCTFail("run: \(outcome)") }
        XCTAssertEqual(try Self.frameCount(video), 48)
        let kv = try XCTUnwrap(run.instance("gen/kv") as? CacheManagerNode)
        XCTAssertEqual(kv.store.stats.appendedFrames, 12)
        XCTAssertEqual(kv.store.stats.recachePasses, 1, "one switch, one re-cache")
        XCTAssertEqual(kv.store.stats.recacheFrames, 3, "the window before block 2 holds frames 3..5")
        XCTAssertEqual(kv.store.policy.precision, .int8)
    }

    /// Same seed, same graph, same mode: the same pictures. Pipelined vs --sequential may differ in the
    /// last bits (the runtime gives BLAS 1 thread per heavy node when pipelined, all cores when
    /// sequential, which changes float summation order), so those are compared within a pixel tolerance.
    func testLongLiveGraphIsDeterministic() throws {
        let (_, a, videoA) = try run(graph: "longlive.yaml", edits: [], overrides: ["frames=36"])
        let (_, b, videoB) = try run(graph: "longlive.yaml", edits: [], overrides: ["frames=36"])
        let (_, c, videoC) = try run(graph: "longlive.yaml", edits: [], overrides: ["frames=36"], sequential: true)
        guard case .completed = a, case .completed = b, case .completed = c else { return XCTFail("runs: \(a), \(b), \(c)") }
        let framesA = try Self.decodedFrames(videoA), framesB = try Self.decodedFrames(videoB), framesC = try Self.decodedFrames(videoC)
        XCTAssertEqual(framesA.count, 36 * 64 * 64 * 3)
        XCTAssertTrue(framesA == framesB, "two pipelined runs decode to different pictures")
        XCTAssertEqual(framesC.count, framesA.count)
        let worst = zip(framesA, framesC).reduce(0) { max($0, abs(Int($1.0) - Int($1.1))) }
        let differing = zip(framesA, framesC).filter { $0 != $1 }.count
        print("pipelined vs sequential: \(differing) of \(framesA.count) bytes differ, by at most \(worst)")
        XCTAssertLessThan(Double(differing), 0.01 * Double(framesA.count), "only rounding-level differences")
    }
}

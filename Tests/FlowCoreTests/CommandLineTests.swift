import Foundation
import XCTest

/// The `flowrun` executable end to end: exit statuses, SIGINT, the case-insensitive graph lookup.
final class CommandLineTests: XCTestCase {
    struct Output { var status: Int32; var stdout: String; var stderr: String }

    func flowrun(_ args: [String], cwd: URL? = nil, interruptWhen: ((Process) -> Bool)? = nil) throws -> Output {
        let p = Process()
        p.executableURL = Fixtures.flowrunBinary
        p.arguments = args
        if let cwd { p.currentDirectoryURL = cwd }
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        if let interruptWhen {
            let deadline = Date().addingTimeInterval(60)
            while !interruptWhen(p) && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
            kill(p.processIdentifier, SIGINT)
            // A run that ignores the interrupt must fail the test, not hang it.
            let pid = p.processIdentifier
            DispatchQueue.global().asyncAfter(deadline: .now() + 60) { if p.isRunning { kill(pid, SIGKILL) } }
        }
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Output(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }

    override func setUpWithError() throws {
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: Fixtures.flowrunBinary.path),
                          "build flowrun first (swift build); the README's test command does")
    }

    func testBadGraphExitsTwoWithLocatedMessage() throws {
        let r = try flowrun(["validate", Fixtures.bad("unknown_type.yaml")])
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.stderr.contains("unknown_type.yaml:4:18: error: unknown node type 'source.countr'; did you mean 'source.counter'?"), r.stderr)
        XCTAssertTrue(r.stderr.contains("    count: { type: source.countr }\n                   ^"), r.stderr)
    }

    /// `flowrun nodes TYPE` shows each port's graph type and the Swift payload it carries.
    func testNodeDescriptionNamesPortTypesAndPayloads() throws {
        let r = try flowrun(["nodes", "cache.manager"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("  update: kv_update (payload KVUpdate) — "), r.stdout)
        XCTAssertTrue(r.stdout.contains("  context: kv_context (payload KVContext) — "), r.stdout)
    }

    func testUsageErrorExitsTwo() throws {
        XCTAssertEqual(try flowrun(["run"]).status, 2)
        XCTAssertEqual(try flowrun(["nodes", "no.such.type"]).status, 2)
    }

    func testFailingRunExitsOneNamingTheNode() throws {
        let path = Fixtures.graph("""
        version: 1
        name: f
        nodes:
          count: { type: source.counter, count: 100 }
          work: { type: compute.work, fail_at: 5, inputs: { in: count.value } }
          sink: { type: sink.collect, inputs: { in: work.out } }
        """)
        let r = try flowrun([path, "--quiet"])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("graph.yaml:5:3: error: node 'work' (compute.work) failed: failing on purpose at position 5 (fail_at)"), r.stderr)
    }

    func testSigintFinalizesOutputsAndExits130() throws {
        let dir = Fixtures.temporaryDirectory()
        let out = dir.appendingPathComponent("out.txt").path
        let path = Fixtures.graph("""
        version: 1
        name: endless
        nodes:
          count: { type: source.counter, count: 1000000, interval_ms: 2 }
          sink: { type: sink.collect, path: \(out), inputs: { in: count.value } }
        """)
        let r = try flowrun([path, "--quiet"], interruptWhen: { _ in
            ((try? String(contentsOfFile: out, encoding: .utf8))?.split(separator: "\n").count ?? 0) >= 20
        })
        XCTAssertEqual(r.status, 130, r.stderr)
        let lines = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.last, "end \(lines.count - 1)")
        XCTAssertGreaterThanOrEqual(lines.count, 21)
    }

    /// An autoregressive loop has no source to stop: the interrupt must end it at its next turn.
    func testSigintStopsAFeedbackLoop() throws {
        let out = Fixtures.temporaryDirectory().appendingPathComponent("loop.txt").path
        let path = Fixtures.graph("""
        version: 1
        name: endless-loop
        nodes:
          step: { type: loop.step, iterations: 1000000000, inputs: { back: { from: work.out, feedback: true } } }
          work: { type: compute.work, mode: sleep, cost_us: 2000, inputs: { in: step.next } }
          sink: { type: sink.collect, path: \(out), inputs: { in: step.next } }
        """)
        let r = try flowrun([path, "--quiet"], interruptWhen: { _ in
            ((try? String(contentsOfFile: out, encoding: .utf8))?.split(separator: "\n").count ?? 0) >= 10
        })
        XCTAssertEqual(r.status, 130, r.stderr)
        let lines = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.last, "end \(lines.count - 1)")
    }

    /// A real-time video re-encode interrupted half way leaves a playable MP4 with the frames so far.
    func testSigintLeavesAPlayableVideo() throws {
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let clip = repo.appendingPathComponent("Tests/VideoTests/Fixtures/clip.mp4").path
        let out = Fixtures.temporaryDirectory().appendingPathComponent("sigint.mp4").path
        let path = Fixtures.graph("""
        version: 1
        name: video-sigint
        nodes:
          clip: { type: video.source, path: \(clip), fps: 10, batch: 1, realtime: true }
          video: { type: video.encoder, path: \(out), inputs: { frames: clip.frames } }
        """)
        let start = Date()
        let r = try flowrun([path, "--quiet"], interruptWhen: { _ in Date().timeIntervalSince(start) > 1.0 })
        XCTAssertEqual(r.status, 130, r.stderr)
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        probe.arguments = ["ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0",
                           "-show_entries", "stream=codec_name,nb_read_frames", "-of", "csv=p=0", out]
        let pipe = Pipe()
        probe.standardOutput = pipe
        try probe.run()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        probe.waitUntilExit()
        XCTAssertEqual(probe.terminationStatus, 0)
        let fields = text.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ",")
        XCTAssertEqual(fields.first, "h264", text)
        let frames = Int(fields.last ?? "") ?? 0
        XCTAssertGreaterThan(frames, 0, text)
        XCTAssertLessThan(frames, 20, "the run was interrupted before the clip's 20 frames: \(text)")
    }

    func testGraphPathIsFoundCaseInsensitively() throws {
        let dir = Fixtures.temporaryDirectory()
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("Graphs"), withIntermediateDirectories: true)
        try """
        version: 1
        name: g
        nodes:
          count: { type: source.counter, count: 2 }
          sink: { type: sink.collect, inputs: { in: count.value } }
        """.write(to: dir.appendingPathComponent("Graphs/demo.yaml"), atomically: true, encoding: .utf8)
        let r = try flowrun(["validate", "graphs/demo.yaml"], cwd: dir)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stderr.contains("using 'Graphs/demo.yaml'"), r.stderr)
    }
}

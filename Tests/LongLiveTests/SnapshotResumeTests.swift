import Foundation
import XCTest
import FlowKit
import FlowCore
@testable import CacheNodes
import MemoryNodes

/// Session snapshots (`--snapshot`, `--resume`): a run stopped and resumed writes, across its two files, the
/// same frames byte for byte as one run that never stopped (MJPEG in AVI: every frame is coded alone, so equal
/// pictures are equal packets). Runs use world-tiny's real weights, with the text encoder stubbed.
final class SnapshotResumeTests: XCTestCase {
    static var worldTiny: String { GraphEndToEndTests.repoRoot.appendingPathComponent("Models/world-tiny").path }

    /// A shipped graph with the text encoder stubbed (and `edits`), in a fresh folder with the subgraphs it includes.
    func prepare(_ name: String, edits: [(String, String)] = []) throws -> URL {
        _ = GraphEndToEndTests.stubRegistered
        let repo = GraphEndToEndTests.repoRoot
        var text = try String(contentsOf: repo.appendingPathComponent("Graphs/\(name)"), encoding: .utf8)
        text = text.replacingOccurrences(of: "type: text.encoder", with: "type: test.text_stub")
        for (a, b) in edits {
            XCTAssertTrue(text.contains(a), "graph has '\(a)'")
            text = text.replacingOccurrences(of: a, with: b)
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("snapshot-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: repo.appendingPathComponent("Graphs/lib"), to: dir.appendingPathComponent("lib"))
        let path = dir.appendingPathComponent(name)
        try text.write(to: path, atomically: true, encoding: .utf8)
        return path
    }

    /// A run of `graph` writing `out` (in the graph's folder), its nodes given `resume`'s state first.
    func makeRun(_ graph: URL, _ overrides: [String], out: String, model: String = worldTiny,
                 resume: SessionSnapshot? = nil) throws -> GraphRun {
        let result = GraphCompiler(cores: 2).compile(file: graph.path, overrides: overrides + ["model=\(model)", "out=\(out)"])
        guard let compiled = result.graph else {
            XCTFail(result.renderer.render(result.diagnostics))
            throw NodeError("compile failed")
        }
        let run = try GraphRun(graph: compiled)
        if let resume { try run.restore(resume, file: "test.pb") }
        return run
    }

    /// Runs to the end; the snapshot it leaves, after a round trip through the file format.
    func runAndSnapshot(_ run: GraphRun, in folder: URL) throws -> SessionSnapshot {
        let outcome = run.run()
        if case .failed(let f) = outcome { XCTFail("run failed: \(f)") }
        let file = folder.appendingPathComponent("session-\(UUID().uuidString).pb").path
        _ = try SnapshotEncoding.write(try run.captureSnapshot(), to: file)
        return try SnapshotDecoding.read(file)
    }

    func run(_ graph: URL, _ overrides: [String], out: String, resume: SessionSnapshot? = nil) throws -> (GraphRun, SessionSnapshot) {
        let run = try makeRun(graph, overrides, out: out, resume: resume)
        return (run, try runAndSnapshot(run, in: graph.deletingLastPathComponent()))
    }

    /// Each video packet's MD5, in order (ffmpeg's framemd5 of the stream copied, not decoded).
    static func packetHashes(_ video: URL) throws -> [String] {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/ffmpeg")
        p.arguments = ["-v", "error", "-i", video.path, "-c", "copy", "-f", "framemd5", "-"]
        let pipe = Pipe()
        p.standardOutput = pipe
        try p.run()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0, "ffmpeg could not read \(video.lastPathComponent)")
        return text.split(separator: "\n").filter { !$0.hasPrefix("#") }.compactMap { $0.split(separator: ",").last.map { $0.trimmingCharacters(in: .whitespaces) } }
    }

    /// The files of a stopped and resumed session against one unbroken run: packets and decoded pictures.
    func assertSameFrames(_ parts: [URL], as whole: URL, frames: Int, file: StaticString = #filePath, line: UInt = #line) throws {
        let partHashes = try parts.flatMap { try Self.packetHashes($0) }
        let wholeHashes = try Self.packetHashes(whole)
        XCTAssertEqual(wholeHashes.count, frames, file: file, line: line)
        XCTAssertEqual(partHashes.count, frames, file: file, line: line)
        let differing = zip(partHashes, wholeHashes).enumerated().filter { $0.element.0 != $0.element.1 }.map(\.offset)
        XCTAssertEqual(differing, [], "frames whose packets differ from the unbroken run's", file: file, line: line)
        let pictures = try parts.map { try GraphEndToEndTests.decodedFrames($0) }.reduce(Data(), +)
        XCTAssertTrue(pictures == (try GraphEndToEndTests.decodedFrames(whole)), "decoded pictures differ", file: file, line: line)
    }

    /// The issue's example, scaled down: 24 frames and a snapshot, then --set frames=48 --resume, equal 48 frames.
    func testLongLiveStoppedAndResumedWritesTheFramesOfOneRun() throws {
        let graph = try prepare("longlive.yaml")
        let dir = graph.deletingLastPathComponent()
        let (_, saved) = try run(graph, ["frames=24"], out: "first.avi")
        XCTAssertEqual(saved.framesDone, 24)
        XCTAssertEqual(saved.state(of: "gen/denoise")?.ints["block"], 2)
        let (resumed, _) = try run(graph, ["frames=48"], out: "second.avi", resume: saved)
        _ = try run(graph, ["frames=48"], out: "whole.avi")
        let kv = try XCTUnwrap(resumed.instance("gen/kv") as? CacheManagerNode)
        XCTAssertEqual(kv.store.stats.appendedFrames, 12, "the restored cache counts the saved session's frames too")
        try assertSameFrames([dir.appendingPathComponent("first.avi"), dir.appendingPathComponent("second.avi")],
                             as: dir.appendingPathComponent("whole.avi"), frames: 48)
    }

    /// Stopped right before a timeline switch (int8 K/V): the resumed run still switches with a re-cache of the
    /// window, as the unbroken run does, because the snapshot carries the prompt in force.
    func testInteractiveResumedAtATimelineSwitchStillRecaches() throws {
        let graph = try prepare("interactive.yaml", edits: [("at: 240", "at: 36")])
        let dir = graph.deletingLastPathComponent()
        let (_, saved) = try run(graph, ["frames=36"], out: "first.avi")
        XCTAssertEqual(saved.framesDone, 36)
        let (resumed, _) = try run(graph, ["frames=60"], out: "second.avi", resume: saved)
        let (whole, _) = try run(graph, ["frames=60"], out: "whole.avi")
        for r in [resumed, whole] {
            let kv = try XCTUnwrap(r.instance("gen/kv") as? CacheManagerNode)
            XCTAssertEqual(kv.store.stats.recachePasses, 1, "one switch, one re-cache")
            XCTAssertEqual(kv.store.policy.precision, .int8)
        }
        try assertSameFrames([dir.appendingPathComponent("first.avi"), dir.appendingPathComponent("second.avi")],
                             as: dir.appendingPathComponent("whole.avi"), frames: 60)
    }

    /// LongLive-RAG with a bank small enough to drop frames by retrieval count: the resumed session retrieves
    /// (and evicts from the bank) exactly what an unbroken run does.
    func testLongLiveRAGResumedRetrievesAsOneRun() throws {
        let graph = try prepare("longlive-rag.yaml")
        let dir = graph.deletingLastPathComponent()
        let settings = ["eviction=least-retrieved", "budget_mb=1.6"]
        let (_, saved) = try run(graph, settings + ["frames=36"], out: "first.avi")
        let (resumed, _) = try run(graph, settings + ["frames=96"], out: "second.avi", resume: saved)
        let (whole, _) = try run(graph, settings + ["frames=96"], out: "whole.avi")
        let a = try XCTUnwrap(resumed.instance("gen/memory") as? MemoryRetrieverNode)
        let b = try XCTUnwrap(whole.instance("gen/memory") as? MemoryRetrieverNode)
        XCTAssertGreaterThan(b.bank.stats.dropped, 0, "the bank filled and dropped frames")
        XCTAssertEqual(a.bank.stats, b.bank.stats, "bank statistics, retrievals counted once")
        XCTAssertEqual(a.bank.positions, b.bank.positions, "the frames the bank holds")
        XCTAssertEqual(a.retrievals.map(\.positions), Array(b.retrievals.map(\.positions).suffix(a.retrievals.count)),
                       "what each resumed block retrieved")
        try assertSameFrames([dir.appendingPathComponent("first.avi"), dir.appendingPathComponent("second.avi")],
                             as: dir.appendingPathComponent("whole.avi"), frames: 96)
    }

    /// Ctrl-C: the interrupted run drains, its snapshot holds whatever it finished, and the resumed session
    /// equals an unbroken run of the same length.
    func testInterruptedRunResumesToTheFramesOfOneRun() throws {
        let graph = try prepare("longlive.yaml")
        let dir = graph.deletingLastPathComponent()
        let first = try makeRun(graph, ["frames=480"], out: "first.avi")
        let watcher = Thread {
            let deadline = Date().addingTimeInterval(120)
            while Date() < deadline && (first.progress.first { $0.id == "gen/video" }?.items ?? 0) < 2 { Thread.sleep(forTimeInterval: 0.02) }
            first.interrupt()
        }
        watcher.start()
        let saved = try runAndSnapshot(first, in: dir)
        let done = try XCTUnwrap(saved.framesDone)
        XCTAssertGreaterThanOrEqual(done, 24)
        XCTAssertLessThan(done, 480, "the run was interrupted")
        XCTAssertEqual(done % 12, 0, "whole blocks")
        XCTAssertEqual(saved.state(of: "gen/vae")?.framesDone, done, "the decoder finished every generated block")
        _ = try run(graph, ["frames=\(done + 24)"], out: "second.avi", resume: saved)
        _ = try run(graph, ["frames=\(done + 24)"], out: "whole.avi")
        try assertSameFrames([dir.appendingPathComponent("first.avi"), dir.appendingPathComponent("second.avi")],
                             as: dir.appendingPathComponent("whole.avi"), frames: done + 24)
    }

    /// Another seed, another graph or other weights: refused, naming each difference.
    func testASnapshotOfAnotherGraphOrModelIsRefusedWithWhatDiffers() throws {
        let graph = try prepare("longlive.yaml")
        let dir = graph.deletingLastPathComponent()
        let (_, saved) = try run(graph, ["frames=12"], out: "first.avi")
        func refusal(_ body: () throws -> Void) -> String {
            do { try body() } catch let e as SnapshotMismatch { return "\(e)" } catch { return "not a mismatch: \(error)" }
            return "accepted"
        }
        let seed = refusal { _ = try makeRun(graph, ["frames=24", "seed=3"], out: "x.avi", resume: saved) }
        XCTAssertTrue(seed.hasPrefix("cannot resume from test.pb: it was made by a different graph or model:\n"), seed)
        XCTAssertTrue(seed.contains("  node 'gen/denoise' (denoiser.block): seed is 0 in the snapshot, 3 now"), seed)
        XCTAssertEqual(seed.split(separator: "\n").count, 2, "one difference: \(seed)")

        let interactive = try prepare("interactive.yaml")
        let other = refusal { _ = try makeRun(interactive, ["frames=24"], out: dir.appendingPathComponent("x.avi").path, resume: saved) }
        XCTAssertTrue(other.contains("graph: 'longlive' in the snapshot, 'interactive' now"), other)
        XCTAssertTrue(other.contains("node 'gen/kv' (cache.manager): quantize is none in the snapshot, int8 now"), other)

        // The same folder name elsewhere, one weight changed: refused by content, not by path.
        let retrained = dir.appendingPathComponent("world-tiny")
        try FileManager.default.copyItem(atPath: Self.worldTiny, toPath: retrained.path)
        let weights = retrained.appendingPathComponent("vae.safetensors")
        var bytes = try Data(contentsOf: weights)
        bytes[bytes.count - 1] ^= 0x01
        try bytes.write(to: weights)
        let model = refusal { _ = try makeRun(graph, ["frames=24"], out: "x.avi", model: retrained.path, resume: saved) }
        XCTAssertTrue(model.contains("node 'gen/vae': model differs: "), model)
        XCTAssertTrue(model.contains("node 'gen/denoise': model differs: "), model)

        // The same weights in another folder are the same model.
        let copy = dir.appendingPathComponent("world-tiny-copy")
        try FileManager.default.copyItem(atPath: Self.worldTiny, toPath: copy.path)
        XCTAssertNoThrow(try makeRun(graph, ["frames=24"], out: "x.avi", model: copy.path, resume: saved))
    }

    /// States that disagree (a session torn down mid-block would leave them so) are caught at the first block,
    /// not turned into wrong frames.
    func testACacheAndDenoiserThatDisagreeAreRefused() throws {
        let graph = try prepare("longlive.yaml")
        let (_, saved) = try run(graph, ["frames=24"], out: "first.avi")
        var edited = saved
        let i = try XCTUnwrap(edited.nodes.firstIndex { $0.id == "gen/denoise" })
        edited.nodes[i].state.ints["block"] = 1
        let resumed = try makeRun(graph, ["frames=48"], out: "second.avi", resume: edited)
        guard case .failed(let failure) = resumed.run() else { return XCTFail("a disagreeing snapshot was resumed") }
        XCTAssertEqual(failure.nodeId, "gen/denoise")
        XCTAssertTrue(failure.message.contains("the snapshot's cache serves block 2 but its denoiser had generated 1 blocks"), failure.message)
    }

    /// A resumed run never overwrites the file holding the saved session's frames, and must have frames to add.
    func testAResumedRunKeepsTheSavedFileAndNeedsMoreFrames() throws {
        let graph = try prepare("longlive.yaml")
        let (_, saved) = try run(graph, ["frames=12"], out: "first.avi")
        XCTAssertThrowsError(try makeRun(graph, ["frames=24"], out: "first.avi", resume: saved)) { error in
            XCTAssertTrue("\(error)".contains("node 'gen/video' (video.encoder) failed: cannot resume from test.pb: video.encoder: "), "\(error)")
            XCTAssertTrue("\(error)".contains("first.avi holds frames 0..<12 of the saved session"), "\(error)")
        }
        XCTAssertThrowsError(try makeRun(graph, ["frames=12"], out: "second.avi", resume: saved)) { error in
            XCTAssertTrue("\(error)".contains("already has 12 frames and frames=12 asks for none beyond them: set frames above 12"), "\(error)")
        }
    }
}

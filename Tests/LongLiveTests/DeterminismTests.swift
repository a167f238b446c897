import XCTest
import FlowKit
import FlowCore

/// Same graph, same seed, same mode: the same pictures, bit for bit, also inside one long-lived
/// process (the test runner) whose heap holds whatever earlier runs left in it.
extension GraphEndToEndTests {
    /// The bug report: world-tiny's longlive run twice with --sequential, decoded from the MP4s,
    /// differed by tens of thousands of bytes. Pipelined runs must stay repeatable too.
    func testLongLiveRunsAreBitwiseRepeatableInBothModes() throws {
        let model = Self.repoRoot.appendingPathComponent("Models/world-tiny").path
        print("determinism: \(BLASRuntime.description)")
        for sequential in [true, false] {
            let mode = sequential ? "sequential" : "pipelined"
            let (_, a, videoA) = try run(graph: "longlive.yaml", edits: [], overrides: ["frames=24", "seed=3"], sequential: sequential, model: model)
            let (_, b, videoB) = try run(graph: "longlive.yaml", edits: [], overrides: ["frames=24", "seed=3"], sequential: sequential, model: model)
            guard case .completed = a, case .completed = b else { return XCTFail("\(mode) runs: \(a), \(b)") }
            let framesA = try Self.decodedFrames(videoA), framesB = try Self.decodedFrames(videoB)
            XCTAssertEqual(framesA.count, 24 * 64 * 64 * 3, mode)
            XCTAssertEqual(framesB.count, framesA.count, mode)
            let differing = zip(framesA, framesB).filter { $0 != $1 }.count
            let worst = zip(framesA, framesB).reduce(0) { max($0, abs(Int($1.0) - Int($1.1))) }
            XCTAssertTrue(framesA == framesB, "two \(mode) runs decode to different pictures: \(differing) bytes differ, by up to \(worst)")
        }
    }

    /// What the graph computes, before any lossy encoder: sequential runs write the same PNG frames,
    /// so a difference in the MP4s comes from encoding, not from the denoiser or the decoder.
    func testLongLiveSequentialFramesAreBitwiseRepeatable() throws {
        let model = Self.repoRoot.appendingPathComponent("Models/world-tiny").path
        let first = try longLivePNGFrames(model: model, sequential: true)
        let second = try longLivePNGFrames(model: model, sequential: true)
        XCTAssertEqual(first.count, 24)
        XCTAssertEqual(first.indices.filter { first[$0] != second[$0] }, [], "frames that differ between two sequential runs")
    }

    /// The root cause, without a model: the same 64x64 frames must encode to the same MP4 whatever
    /// the heap held before. libx264's AVX-512 MB-tree code reads heap memory it never wrote when
    /// a frame is not a multiple of 128 pixels wide, so this fails unless the writer keeps x264 off it.
    func testMP4EncodingDoesNotDependOnWhatTheHeapHeld() throws {
        var files: [Data] = []
        for pattern: UInt8 in [0x00, 0x5A, 0xA5, 0xFF] {
            Self.scribbleOnHeap(pattern)
            files.append(try encodeTestPattern())
        }
        XCTAssertEqual(Set(files).count, 1, "the same frames gave \(Set(files).count) different MP4s after the heap held different bytes")
    }

    // MARK: - Helpers

    /// Allocates, fills and frees blocks of many sizes, so the allocator's next blocks on this
    /// thread hold `byte` instead of zeros (what earlier work leaves behind in a long-lived process).
    static func scribbleOnHeap(_ byte: UInt8) {
        var blocks: [UnsafeMutableRawPointer] = []
        for size in stride(from: 64, through: 96 * 1024, by: 448) {
            for _ in 0..<2 {
                let p = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 16)
                p.initializeMemory(as: UInt8.self, repeating: byte, count: size)
                blocks.append(p)
            }
        }
        for p in blocks.reversed() { p.deallocate() }
    }

    /// frames.pattern (24 frames of 64x64, world-tiny's size) into video.encoder, run sequentially on
    /// this thread; returns the MP4's bytes.
    func encodeTestPattern() throws -> Data {
        _ = Self.stubRegistered
        let dir = try temporaryDirectory()
        let path = dir.appendingPathComponent("encode.yaml")
        try """
        version: 1
        name: encode
        nodes:
          pattern: { type: frames.pattern, frames: 24, batch: 12, width: 64, height: 64 }
          video: { type: video.encoder, path: \(dir.path)/out.mp4, overwrite: true, inputs: { frames: pattern.frames } }
        """.write(to: path, atomically: true, encoding: .utf8)
        let result = GraphCompiler(cores: 2).compile(file: path.path, overrides: [])
        guard let compiled = result.graph else {
            XCTFail(result.renderer.render(result.diagnostics))
            throw NodeError("compile failed")
        }
        let outcome = try GraphRun(graph: compiled, options: RunOptions(sequential: true)).run()
        guard case .completed = outcome else { XCTFail("encode: \(outcome)"); throw NodeError("encode failed") }
        return try Data(contentsOf: dir.appendingPathComponent("out.mp4"))
    }

    /// longlive.yaml (text encoder stubbed) writing lossless PNG frames; their bytes in order.
    func longLivePNGFrames(model: String, sequential: Bool) throws -> [Data] {
        _ = Self.stubRegistered
        var text = try String(contentsOf: Self.repoRoot.appendingPathComponent("Graphs/longlive.yaml"), encoding: .utf8)
        text = text.replacingOccurrences(of: "type: text.encoder", with: "type: test.text_stub")
        let dir = try temporaryDirectory()
        try FileManager.default.copyItem(at: Self.repoRoot.appendingPathComponent("Graphs/lib"), to: dir.appendingPathComponent("lib"))
        let path = dir.appendingPathComponent("longlive.yaml")
        try text.write(to: path, atomically: true, encoding: .utf8)
        let result = GraphCompiler(cores: 2).compile(file: path.path, overrides: ["frames=24", "seed=3", "model=\(model)",
                                                                                  "out=\(dir.path)/frame_%04d.png"])
        guard let compiled = result.graph else {
            XCTFail(result.renderer.render(result.diagnostics))
            throw NodeError("compile failed")
        }
        let outcome = try GraphRun(graph: compiled, options: RunOptions(sequential: sequential)).run()
        guard case .completed = outcome else { XCTFail("run: \(outcome)"); throw NodeError("run failed") }
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix("frame_") }.sorted()
        return try files.map { try Data(contentsOf: dir.appendingPathComponent($0)) }
    }
}

import Foundation
import XCTest
import FlowKit
@testable import VideoNodes

/// What the runtime does on SIGINT or an upstream error: `finish` after partial input, with the input
/// port never closed. The file must be complete and hold every frame that arrived.
final class EncoderFinalizeTests: XCTestCase {
    func testStreamStoppedEarlyLeavesAPlayableFileWithTheFramesSoFar() throws {
        let dir = try TemporaryDirectory()
        for name in ["cut.mp4", "cut.mkv", "cut.avi"] {
            let harness = try NodeHarness(VideoEncoderNode.self, params: ["path": .string(dir.file(name))])
            try feed(harness, frames: 0..<25, batch: 5)   // a run meant to be 100 frames, stopped at 25
            harness.isStopping = true
            try harness.finish()
            let probe = try ffprobe(dir.file(name))
            XCTAssertEqual(probe.frames, 25, name)
            XCTAssertEqual(try XCTUnwrap(probe.duration), 25.0 / 15, accuracy: 1.0 / 15 + 0.001, name)
        }
    }

    func testFragmentedMP4StoppedEarlyKeepsEveryFrame() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("cut.mp4")
        let harness = try NodeHarness(VideoEncoderNode.self, params: ["path": .string(path), "format": .string("fmp4"), "keyint": .int(10)])
        try feed(harness, frames: 0..<23, batch: 5)
        try harness.finish()
        XCTAssertEqual(try ffprobe(path).frames, 23)
    }

    func testFragmentedMP4IsPlayableWhileBeingWritten() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("growing.mp4")
        let harness = try NodeHarness(VideoEncoderNode.self, params: ["path": .string(path), "format": .string("fmp4"), "keyint": .int(10)])
        try feed(harness, frames: 0..<60, batch: 10)
        // Nothing finalized yet: a player reading now sees the complete fragments written so far.
        let snapshot = dir.file("snapshot.mp4")
        try FileManager.default.copyItem(atPath: path, toPath: snapshot)
        let live = try ffprobe(snapshot)
        XCTAssertEqual(live.codec, "h264")
        XCTAssertGreaterThanOrEqual(live.frames, 20, "the growing file should already hold several fragments")
        XCTAssertEqual(live.frames % 10, 0, "whole fragments only")
        XCTAssertLessThan(live.frames, 60)
        try harness.finish()
        XCTAssertEqual(try ffprobe(path).frames, 60)
    }

    func testAnErrorMidStreamStillFinalizesWhatCameBefore() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("sizes.mp4")
        let harness = try NodeHarness(VideoEncoderNode.self, params: ["path": .string(path)])
        try feed(harness, frames: 0..<8)
        XCTAssertThrowsError(try harness.feed("frames", position: 9, TestFrames.batch(width: 32, height: 32, first: 8, count: 1))) { error in
            XCTAssertTrue("\(error)".contains("changed size from 64x48 to 32x32"), "\(error)")
        }
        try harness.finish()
        XCTAssertEqual(try ffprobe(path).frames, 8)
    }

    func testNoFramesWritesNoFile() throws {
        let dir = try TemporaryDirectory()
        let harness = try NodeHarness(VideoEncoderNode.self, params: ["path": .string(dir.file("none.mp4"))])
        try harness.close("frames")
        try harness.finish()
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.file("none.mp4")))
        XCTAssertEqual(harness.logLines, ["no frames arrived; \(dir.file("none.mp4")) was not written"])
    }

    func testOddSizeWithYUV420IsAClearError() throws {
        let dir = try TemporaryDirectory()
        let harness = try NodeHarness(VideoEncoderNode.self, params: ["path": .string(dir.file("odd.mp4"))])
        XCTAssertThrowsError(try harness.feed("frames", position: 0, TestFrames.batch(width: 33, height: 20, first: 0, count: 1))) { error in
            XCTAssertTrue("\(error)".contains("yuv420p needs even width and height, got 33x20"), "\(error)")
        }
        try harness.finish()
        // yuv444p has no such limit.
        try encode(["path": .string(dir.file("odd444.mp4")), "pix_fmt": .string("yuv444p")], frames: 3, width: 33, height: 21)
        let probe = try ffprobe(dir.file("odd444.mp4"))
        XCTAssertEqual(probe.frames, 3)
        XCTAssertEqual(probe.width, 33)
    }
}

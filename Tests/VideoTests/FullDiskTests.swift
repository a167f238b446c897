import Foundation
import XCTest
import FlowKit
@testable import VideoNodes

/// A long run on a disk that fills up (simulated: the file takes a fixed number of bytes, then every write
/// fails with ENOSPC, as on a full file system). The encoder stops with an error naming the file and the
/// system's words, and what it wrote before still plays.
final class FullDiskTests: XCTestCase {
    /// Feeds frames in batches of 4 until the encoder fails (throws, or reports the failure and stops the graph);
    /// returns the error and how many frames went in.
    func feedUntilFull(_ harness: NodeHarness<VideoEncoderNode>, limit: Int = 6_000) -> (String?, Int) {
        var next = 0
        while next < limit {
            do {
                try harness.feed("frames", position: next / 4, TestFrames.batch(width: 64, height: 48, first: next, count: 4))
            } catch { return ("\(error)", next) }
            next += 4
            if let failure = harness.failures.first { return (failure, next) }
        }
        return (nil, next)
    }

    /// Wherever the disk fills (inside a fragment's media or inside its header), the file is cut back to its
    /// last whole fragment, so it ends exactly at a box boundary and plays; the frames after it, and those that
    /// still drain in while the graph stops, are kept for a snapshot.
    func testAFullDiskLeavesAPlayableMP4AndKeepsTheRestForASnapshot() throws {
        let dir = try TemporaryDirectory()
        for capacity in stride(from: 20_000, through: 44_000, by: 3_001) {
            let path = dir.file("long-\(capacity).mp4")
            DiskFullInjection.set(path, capacity: capacity)
            defer { DiskFullInjection.set(path, capacity: nil) }
            // format: auto, as a graph writes an .mp4: fragmented, one fragment per keyframe interval.
            let harness = try NodeHarness(VideoEncoderNode.self, params: ["path": .string(path), "keyint": .int(16)], id: "video")
            let (error, failedAt) = feedUntilFull(harness)
            let message = try XCTUnwrap(error, "\(failedAt) frames fit in \(capacity) bytes; the disk never filled")
            XCTAssertEqual(message, "video.encoder: writing to \(path): No space left on device")
            XCTAssertTrue(harness.isStopping, "the failure stops the graph")
            // What was in flight drains in: kept, not written.
            try feed(harness, frames: failedAt..<(failedAt + 8))
            try harness.finish()
            let node = harness.node
            let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
            XCTAssertLessThanOrEqual(bytes.count, capacity)
            XCTAssertGreaterThan(bytes.count, capacity / 2, "the disk was filled")
            let boxes = Self.topLevelBoxes(bytes)
            XCTAssertEqual(boxes.end, bytes.count, "capacity \(capacity): the file ends inside a box (\(boxes.names.suffix(3)))")
            XCTAssertEqual(boxes.names.last, "mdat", "capacity \(capacity): the last box is a fragment's media")
            // Every frame of the whole fragments plays: ffmpeg decodes the file without an error.
            let probe = try ffprobe(path)
            XCTAssertEqual(probe.codec, "h264")
            XCTAssertGreaterThanOrEqual(probe.frames, 16, "at least one whole fragment")
            XCTAssertEqual(probe.frames % 16, 0, "whole fragments of 16 frames")
            XCTAssertEqual(probe.frames, node.framesInFile)
            try runTool("/usr/bin/ffmpeg", ["-v", "error", "-xerror", "-i", path, "-f", "null", "-"])
            // Nothing made is lost: the file's frames and the held ones are every frame fed, in order.
            let state = try node.saveState()
            let pending = try XCTUnwrap(state.tensors["pending"])
            XCTAssertEqual(pending.shape, [failedAt + 8 - probe.frames, 48, 64, 3])
            XCTAssertEqual(state.framesDone, failedAt + 8)
            let firstHeld = Array(pending.withUnsafeBytes { $0.prefix(64 * 48 * 3) })
            XCTAssertEqual(firstHeld, TestFrames.batch(width: 64, height: 48, first: probe.frames, count: 1).rgb)

            // Resumed (onto a disk with room), the held frames are written first, then the new ones.
            let next = dir.file("next-\(capacity).mp4")
            let resumed = try NodeHarness(VideoEncoderNode.self, params: ["path": .string(next), "keyint": .int(16)], id: "video")
            try resumed.node.restoreState(state)
            try feed(resumed, frames: (failedAt + 8)..<(failedAt + 20))
            try resumed.close("frames")
            try resumed.finish()
            XCTAssertEqual(try ffprobe(next).frames, failedAt + 20 - probe.frames)
        }
    }

    /// The MP4 boxes at the top of a file, and where the last one ends (past the file's end when it is cut).
    static func topLevelBoxes(_ bytes: Data) -> (names: [String], end: Int) {
        var names: [String] = []
        var offset = 0
        let b = [UInt8](bytes)
        while offset + 8 <= b.count {
            let size = b[offset..<(offset + 4)].reduce(0) { $0 << 8 | Int($1) }
            names.append(String(decoding: b[(offset + 4)..<(offset + 8)], as: UTF8.self))
            guard size >= 8 else { return (names, -1) }
            offset += size
        }
        return (names, offset)
    }

    /// Why the default for .mp4 is fragmented: classic MP4 writes its index at the end, which a full disk
    /// never lets it write, and the file then opens in no player.
    func testClassicMP4OnAFullDiskIsUnplayable() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("classic.mp4")
        DiskFullInjection.set(path, capacity: 30_000)
        defer { DiskFullInjection.set(path, capacity: nil) }
        let harness = try NodeHarness(VideoEncoderNode.self, params: ["path": .string(path), "format": .string("mp4")], id: "video")
        let (error, _) = feedUntilFull(harness)
        XCTAssertEqual(harness.failures, [], "classic MP4 fails the way it always did: the error is thrown")
        XCTAssertNotNil(error)
        XCTAssertThrowsError(try harness.finish())
        XCTAssertThrowsError(try runTool("/usr/bin/ffprobe", ["-v", "error", path])) { error in
            XCTAssertTrue("\(error)".contains("moov atom not found"), "\(error)")
        }
    }
}

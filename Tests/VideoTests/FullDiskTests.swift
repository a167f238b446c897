import Foundation
import XCTest
import FlowKit
@testable import VideoNodes

/// A long run on a disk that fills up (simulated: the file takes a fixed number of bytes, then every write
/// fails with ENOSPC, as on a full file system). The encoder stops with an error naming the file and the
/// system's words, and what it wrote before still plays.
final class FullDiskTests: XCTestCase {
    /// Feeds frames in batches of 4 until the encoder fails; returns the error and how many frames went in.
    func feedUntilFull(_ harness: NodeHarness<VideoEncoderNode>, limit: Int = 6_000) -> (Error?, Int) {
        var next = 0
        while next < limit {
            do {
                try harness.feed("frames", position: next / 4, TestFrames.batch(width: 64, height: 48, first: next, count: 4))
            } catch { return (error, next) }
            next += 4
        }
        return (nil, next)
    }

    func testAFullDiskLeavesAPlayableMP4AndSaysWhy() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("long.mp4")
        let capacity = 30_000
        DiskFullInjection.set(path, capacity: capacity)
        defer { DiskFullInjection.set(path, capacity: nil) }
        // format: auto, as a graph writes an .mp4: fragmented, one fragment per keyframe interval.
        let harness = try NodeHarness(VideoEncoderNode.self, params: ["path": .string(path), "keyint": .int(16)], id: "video")
        let (error, fed) = feedUntilFull(harness)
        let message = "\(try XCTUnwrap(error, "\(fed) frames fit in \(capacity) bytes; the disk never filled"))"
        XCTAssertTrue(message.contains("video.encoder: writing to \(path): No space left on device"), message)
        do { try harness.finish() } catch {
            XCTAssertTrue("\(error)".contains("No space left on device"), "\(error)")
        }
        let size = try XCTUnwrap(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        XCTAssertLessThanOrEqual(size, capacity)
        XCTAssertGreaterThan(size, capacity / 2, "the disk was filled")
        // Every complete fragment plays: ffmpeg decodes the file (the cut fragment at the end is dropped).
        let probe = try ffprobe(path)
        XCTAssertEqual(probe.codec, "h264")
        XCTAssertGreaterThanOrEqual(probe.frames, 16, "at least one whole fragment")
        XCTAssertLessThanOrEqual(probe.frames, fed)
        try runTool("/usr/bin/ffmpeg", ["-v", "error", "-i", path, "-f", "null", "-"])
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
        XCTAssertNotNil(error)
        XCTAssertThrowsError(try harness.finish())
        XCTAssertThrowsError(try runTool("/usr/bin/ffprobe", ["-v", "error", path])) { error in
            XCTAssertTrue("\(error)".contains("moov atom not found"), "\(error)")
        }
    }
}

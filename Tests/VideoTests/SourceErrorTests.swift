import Foundation
import XCTest
import FlowKit
@testable import VideoNodes

/// Bad input fails with a message that names the file and says what is wrong, never a crash or silence.
final class SourceErrorTests: XCTestCase {
    private func error(reading path: String) -> String? {
        do {
            let harness = try NodeHarness(VideoSourceNode.self, params: ["path": .string(path)])
            try harness.drainSource()
            try harness.finish()
            return nil
        } catch {
            return "\(error)"
        }
    }

    func testMissingFile() {
        XCTAssertEqual(error(reading: "/nonexistent/clip.mp4"),
                       "video.source: cannot read '/nonexistent/clip.mp4' as video: No such file or directory")
    }

    func testTextFileIsNotAVideo() {
        let path = fixture("not_a_video.mp4")
        XCTAssertEqual(error(reading: path), "video.source: cannot read '\(path)' as video: Invalid data found when processing input")
    }

    func testMP4WithoutItsIndex() {
        let path = fixture("clip_no_index.mp4")
        XCTAssertEqual(error(reading: path), "video.source: cannot read '\(path)' as video: Invalid data found when processing input")
    }

    func testTruncatedMP4() throws {
        let path = fixture("clip_truncated.mp4")
        let message = try XCTUnwrap(error(reading: path), "a truncated file must not read as a short video")
        XCTAssertEqual(message, "video.source: '\(path)' is truncated: the frame at 0.0 s runs past the end of the file (2708 bytes)")
    }

    func testTruncatedMatroska() throws {
        let path = fixture("clip_truncated.mkv")
        let message = try XCTUnwrap(error(reading: path), "a truncated file must not read as a short video")
        XCTAssertEqual(message, "video.source: '\(path)' is truncated: it declares 2.0 s of video but ends at 0.5 s")
    }

    func testCorruptFrames() throws {
        let path = fixture("clip_corrupt.mp4")
        let message = try XCTUnwrap(error(reading: path), "garbage frame data must not decode silently")
        XCTAssertTrue(message.hasPrefix("video.source: '\(path)' is corrupt: decoding the frame at "), message)
        XCTAssertTrue(message.hasSuffix("Invalid data found when processing input"), message)
    }

    func testDirectoryIsNotAVideo() throws {
        let dir = try TemporaryDirectory()
        let message = try XCTUnwrap(error(reading: dir.path))
        XCTAssertTrue(message.hasPrefix("video.source: cannot read '\(dir.path)' as video"), message)
    }
}

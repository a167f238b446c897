import Foundation
import XCTest
import FlowKit
@testable import VideoNodes

final class OutputPathTests: XCTestCase {
    func testRefusesToOverwriteUnlessTold() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("taken.mp4")
        try Data("precious".utf8).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try NodeHarness(VideoEncoderNode.self, params: ["path": .string(path)])) { error in
            XCTAssertEqual("\(error)", "video.encoder: '\(path)' already exists; set overwrite: true to replace it")
        }
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "precious", "a refused run must not touch the file")

        try encode(["path": .string(path), "overwrite": .bool(true)], frames: 5)
        XCTAssertEqual(try ffprobe(path).frames, 5)
    }

    func testAnExistingImageSequenceCountsAsExisting() throws {
        let dir = try TemporaryDirectory()
        let pattern = dir.file("frame_%04d.png")
        try encode(["path": .string(pattern)], frames: 6)
        XCTAssertThrowsError(try NodeHarness(VideoEncoderNode.self, params: ["path": .string(pattern)])) { error in
            XCTAssertTrue("\(error)".contains("frame_0000.png' already exists"), "\(error)")
        }
        // Overwriting a longer sequence with a shorter one must not leave stale frames behind.
        try encode(["path": .string(pattern), "overwrite": .bool(true)], frames: 2)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted(), ["frame_0000.png", "frame_0001.png"])
    }

    func testPlaceholdersAreFilledAndDirectoriesMade() throws {
        let dir = try TemporaryDirectory()
        let harness = try NodeHarness(VideoEncoderNode.self, params: ["path": .string("runs/{name}/{node}-{date}.mp4")],
                                      id: "video", baseDirectory: dir.path)
        let today = ISO8601DateFormatter.string(from: Date(), timeZone: TimeZone(identifier: "UTC")!, formatOptions: [.withFullDate])
        XCTAssertEqual(harness.node.outputPath, dir.path + "/runs/video/video-\(today).mp4")
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir.path + "/runs/video"))

        let named = try NodeHarness(VideoEncoderNode.self, params: ["path": .string("{name}.mkv"), "name": .string("demo")],
                                    baseDirectory: dir.path)
        XCTAssertEqual(named.node.outputPath, dir.path + "/demo.mkv")
    }

    func testCheckReportsBadPathsBeforeAnythingRuns() throws {
        func problems(_ params: [String: ParamValue]) throws -> [String] {
            VideoEncoderNode.check(try VideoEncoderNode.contract.resolve(params)).map { "\($0.param): \($0.message)" }
        }
        XCTAssertEqual(try problems(["path": .string("out/{nmae}.mp4")]),
                       ["path: 'out/{nmae}.mp4' uses {nmae}; known placeholders are {date}, {datetime}, {name}, {node}, {time}"])
        XCTAssertEqual(try problems(["path": .string("out/video.webm")]),
                       ["format: cannot tell the format from 'out/video.webm'; use a .mp4, .mkv, .avi or .png path, or set format"])
        XCTAssertEqual(try problems(["path": .string("out/frame.png")]),
                       ["format: a PNG sequence needs one frame counter in the file name, e.g. out/frame_%05d.png"])
        XCTAssertEqual(try problems(["path": .string("out/a.mkv"), "format": .string("mp4")]),
                       ["format: format mp4 writes .mp4 or .m4v files, but path is 'out/a.mkv'"])
        XCTAssertEqual(try problems(["path": .string("out/{node}_%03d.png")]), [])
    }

    func testSequencePatternMatchesOnlyItsOwnFiles() {
        let pattern = SequencePattern("out/frame_%05d.png")
        XCTAssertNotNil(pattern)
        XCTAssertTrue(pattern!.matches("frame_00012.png"))
        XCTAssertFalse(pattern!.matches("frame_.png"))
        XCTAssertFalse(pattern!.matches("frame_0001a.png"))
        XCTAssertFalse(pattern!.matches("other_00012.png"))
        XCTAssertNil(SequencePattern("out/frame.png"))
        XCTAssertNil(SequencePattern("out/frame_%05d_%d.png"))
    }
}

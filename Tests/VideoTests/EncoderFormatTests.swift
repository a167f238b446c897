import Foundation
import XCTest
import FlowKit
@testable import VideoNodes

/// Each output mode, checked by ffprobe decoding the whole file: codec, frame count, rate, duration.
final class EncoderFormatTests: XCTestCase {
    private func assertProbe(_ path: String, codec: String, frames: Int, fps: Double, pixelFormat: String? = nil,
                             file: StaticString = #filePath, line: UInt = #line) throws {
        let probe = try ffprobe(path, file: file, line: line)
        XCTAssertEqual(probe.codec, codec, file: file, line: line)
        XCTAssertEqual(probe.frames, frames, "decoded frame count", file: file, line: line)
        XCTAssertEqual(probe.frameRate, fps, accuracy: 0.01, file: file, line: line)
        XCTAssertEqual(probe.width, 64, file: file, line: line)
        XCTAssertEqual(probe.height, 48, file: file, line: line)
        if let pixelFormat { XCTAssertEqual(probe.pixelFormat, pixelFormat, file: file, line: line) }
        let duration = try XCTUnwrap(probe.duration, "container duration", file: file, line: line)
        XCTAssertEqual(duration, Double(frames) / fps, accuracy: 1 / fps + 0.001, file: file, line: line)
    }

    func testMP4IsH264WithEveryFrame() throws {
        let dir = try TemporaryDirectory()
        let harness = try encode(["path": .string(dir.file("out.mp4"))], frames: 30)
        try assertProbe(dir.file("out.mp4"), codec: "h264", frames: 30, fps: 15, pixelFormat: "yuv420p")
        XCTAssertEqual(harness.logLines.last, "wrote 30 frames to \(dir.file("out.mp4"))")
    }

    func testFragmentedMP4HasEmptyMoovThenFragments() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("live.mp4")
        try encode(["path": .string(path), "format": .string("fmp4"), "keyint": .int(10)], frames: 30)
        try assertProbe(path, codec: "h264", frames: 30, fps: 15)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let moov = try XCTUnwrap(bytes.range(of: Data("moov".utf8))).lowerBound
        let firstMoof = try XCTUnwrap(bytes.range(of: Data("moof".utf8)), "no movie fragments").lowerBound
        XCTAssertLessThan(moov, firstMoof, "the moov must come first so players can start before the end")
        XCTAssertEqual(count(of: "moof", in: bytes), 3, "one fragment per 10-frame keyframe interval")
    }

    func testMJPEGInMatroska() throws {
        let dir = try TemporaryDirectory()
        try encode(["path": .string(dir.file("out.mkv"))], frames: 30)
        try assertProbe(dir.file("out.mkv"), codec: "mjpeg", frames: 30, fps: 15)
    }

    func testMJPEGInAVI() throws {
        let dir = try TemporaryDirectory()
        try encode(["path": .string(dir.file("out.avi")), "format": .string("mjpeg")], frames: 30)
        try assertProbe(dir.file("out.avi"), codec: "mjpeg", frames: 30, fps: 15)
    }

    func testPNGSequenceIsNumberedFromZeroAndLossless() throws {
        let dir = try TemporaryDirectory()
        let pattern = dir.file("seq/frame_%05d.png")
        try encode(["path": .string(pattern)], frames: 12)
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.file("seq")).sorted()
        XCTAssertEqual(files, (0..<12).map { String(format: "frame_%05d.png", $0) })
        let probe = try ffprobe(dir.file("seq/frame_00007.png"))
        XCTAssertEqual(probe.codec, "png")
        XCTAssertEqual(probe.pixelFormat, "rgb24")
        XCTAssertEqual(try ffprobe(pattern).frames, 12)

        // Lossless: reading the sequence back gives the very bytes that went in.
        let source = try NodeHarness(VideoSourceNode.self, params: ["path": .string(pattern), "batch": .int(12)])
        try source.drainSource()
        let read = try source.payloads("frames", as: FrameBatch.self)
        XCTAssertEqual(read.count, 1)
        XCTAssertEqual(read.first?.rgb, TestFrames.batch(width: 64, height: 48, first: 0, count: 12).rgb)
    }

    func testPixelFormatAndRateParams() throws {
        let dir = try TemporaryDirectory()
        try encode(["path": .string(dir.file("444.mp4")), "pix_fmt": .string("yuv444p"), "fps": .float(24)], frames: 12)
        try assertProbe(dir.file("444.mp4"), codec: "h264", frames: 12, fps: 24, pixelFormat: "yuv444p")
    }

    func testMJPEGChromaLayouts() throws {
        let dir = try TemporaryDirectory()
        // JPEG is full range, which ffprobe reports with the "j" names.
        for (layout, reported) in [("yuv420p", "yuvj420p"), ("yuv422p", "yuvj422p"), ("yuv444p", "yuvj444p")] {
            let path = dir.file("\(layout).mkv")
            try encode(["path": .string(path), "pix_fmt": .string(layout)], frames: 4)
            try assertProbe(path, codec: "mjpeg", frames: 4, fps: 15, pixelFormat: reported)
        }
    }

    func testLowerCRFGivesALargerFile() throws {
        let dir = try TemporaryDirectory()
        try encode(["path": .string(dir.file("fine.mp4")), "crf": .int(12)], frames: 20, width: 256, height: 192)
        try encode(["path": .string(dir.file("coarse.mp4")), "crf": .int(40)], frames: 20, width: 256, height: 192)
        XCTAssertGreaterThan(try fileSize(dir.file("fine.mp4")), 2 * (try fileSize(dir.file("coarse.mp4"))))
    }

    func testBitrateModeHitsRoughlyTheTarget() throws {
        let dir = try TemporaryDirectory()
        // 150 frames at 15 fps = 10 s; at 40 kbit/s the stream should be near 50 kB, far from what crf 0 gives.
        try encode(["path": .string(dir.file("abr.mp4")), "bitrate": .int(40), "crf": .int(0)], frames: 150, batch: 15)
        let bytes = Double(try fileSize(dir.file("abr.mp4")))
        XCTAssertEqual(bytes, 40_000.0 / 8 * 10, accuracy: 0.5 * 40_000 / 8 * 10)
        try assertProbe(dir.file("abr.mp4"), codec: "h264", frames: 150, fps: 15)
    }

    func testColoursSurviveTheRoundTrip() throws {
        let dir = try TemporaryDirectory()
        for (name, colour) in [("red", (UInt8(220), UInt8(30), UInt8(40))), ("teal", (UInt8(20), UInt8(160), UInt8(170)))] {
            for ext in ["mp4", "mkv"] {
                let path = dir.file("\(name).\(ext)")
                let harness = try NodeHarness(VideoEncoderNode.self, params: ["path": .string(path)])
                try harness.feed("frames", position: 0, TestFrames.solid(width: 32, height: 32, count: 5, rgb: colour))
                try harness.finish()
                let source = try NodeHarness(VideoSourceNode.self, params: ["path": .string(path), "batch": .int(5)])
                try source.drainSource()
                let frames = try XCTUnwrap(source.payloads("frames", as: FrameBatch.self).first)
                XCTAssertEqual(frames.count, 5)
                let centre = (16 * 32 + 16) * 3
                XCTAssertEqual(Double(frames.rgb[centre]), Double(colour.0), accuracy: 6, "\(name).\(ext) red")
                XCTAssertEqual(Double(frames.rgb[centre + 1]), Double(colour.1), accuracy: 6, "\(name).\(ext) green")
                XCTAssertEqual(Double(frames.rgb[centre + 2]), Double(colour.2), accuracy: 6, "\(name).\(ext) blue")
            }
        }
    }

    private func count(of box: String, in data: Data) -> Int {
        var found = 0
        var start = data.startIndex
        while let range = data.range(of: Data(box.utf8), in: start..<data.endIndex) {
            found += 1
            start = range.upperBound
        }
        return found
    }
}

func fileSize(_ path: String) throws -> Int {
    (try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? -1
}

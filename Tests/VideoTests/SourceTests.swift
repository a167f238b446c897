import Foundation
import XCTest
import FlowKit
@testable import VideoNodes

final class SourceTests: XCTestCase {
    private func read(_ params: [String: ParamValue]) throws -> [FrameBatch] {
        let harness = try NodeHarness(VideoSourceNode.self, params: params)
        try harness.drainSource()
        try harness.finish()
        return try harness.payloads("frames", as: FrameBatch.self)
    }

    func testReadsEveryFrameAtTheSourceSizeAndRate() throws {
        let harness = try NodeHarness(VideoSourceNode.self, params: ["path": .string(fixture("clip.mp4")), "batch": .int(6)])
        try harness.drainSource()
        let packets = harness.outputs("frames")
        let batches = try harness.payloads("frames", as: FrameBatch.self)
        XCTAssertEqual(batches.map(\.count), [6, 6, 6, 2], "20 frames in batches of 6, the last one short")
        XCTAssertEqual(packets.map(\.position), [0, 1, 2, 3])
        XCTAssertEqual(batches.map(\.firstFrame), [0, 6, 12, 18])
        XCTAssertTrue(batches.allSatisfy { $0.width == 64 && $0.height == 48 && $0.fps == 10 })
        // The frames differ from each other (testsrc2 moves), so this is real decoding, not a repeated frame.
        XCTAssertNotEqual(Array(batches[0].rgb[0..<(64 * 48 * 3)]), Array(batches[3].rgb[(64 * 48 * 3)...]))
        try harness.finish()
        XCTAssertEqual(harness.logLines.last, "read 20 frames from \(fixture("clip.mp4"))")
    }

    func testFrameRateConversionDropsAndRepeats() throws {
        let half = try read(["path": .string(fixture("clip.mp4")), "fps": .float(5), "batch": .int(100)])
        XCTAssertEqual(half.map(\.count), [10])
        XCTAssertEqual(half.first?.fps, 5)
        let double = try read(["path": .string(fixture("clip.mp4")), "fps": .float(20), "batch": .int(100)])
        XCTAssertEqual(double.map(\.count), [40])
        let native = try read(["path": .string(fixture("clip.mp4")), "batch": .int(100)])
        let size = 64 * 48 * 3
        func frame(_ b: FrameBatch, _ i: Int) -> ArraySlice<UInt8> { b.rgb[(i * size)..<((i + 1) * size)] }
        // At 5 fps output frame k is source frame 2k; at 20 fps output frames 2k and 2k+1 are source frame k.
        for k in 0..<10 { XCTAssertEqual(frame(half[0], k), frame(native[0], 2 * k), "5 fps frame \(k)") }
        for k in 0..<20 {
            XCTAssertEqual(frame(double[0], 2 * k), frame(native[0], k), "20 fps frame \(2 * k)")
            XCTAssertEqual(frame(double[0], 2 * k + 1), frame(native[0], k), "20 fps frame \(2 * k + 1)")
        }
    }

    func testMaxFramesStopsEarly() throws {
        let batches = try read(["path": .string(fixture("clip.mp4")), "max_frames": .int(7), "batch": .int(4)])
        XCTAssertEqual(batches.map(\.count), [4, 3])
    }

    func testMissingDimensionFollowsTheAspectRatio() throws {
        let batches = try read(["path": .string(fixture("clip.mp4")), "width": .int(32), "max_frames": .int(1)])
        XCTAssertEqual(batches.first?.width, 32)
        XCTAssertEqual(batches.first?.height, 24)
    }

    /// A 64x32 picture, left half red and right half blue, read back as a 32x32 square by each policy.
    func testFitPoliciesCropPadAndStretch() throws {
        let dir = try TemporaryDirectory()
        var rgb = [UInt8](repeating: 0, count: 64 * 32 * 3)
        for y in 0..<32 { for x in 0..<64 { rgb[(y * 64 + x) * 3 + (x < 32 ? 0 : 2)] = 255 } }
        let pattern = dir.file("halves_%02d.png")
        let encoder = try NodeHarness(VideoEncoderNode.self, params: ["path": .string(pattern)])
        try encoder.feed("frames", position: 0, FrameBatch(width: 64, height: 32, firstFrame: 0, fps: 10, rgb: rgb))
        try encoder.finish()

        func pixel(_ b: FrameBatch, _ x: Int, _ y: Int) -> [UInt8] { Array(b.rgb[((y * 32 + x) * 3)..<((y * 32 + x) * 3 + 3)]) }
        func square(_ fit: String) throws -> FrameBatch {
            try XCTUnwrap(read(["path": .string(pattern), "width": .int(32), "height": .int(32), "fit": .string(fit)]).first)
        }
        // crop: scaled to 64x32 and the middle 32 columns kept: red on the left, blue on the right, full height.
        let crop = try square("crop")
        XCTAssertEqual(pixel(crop, 2, 0), [255, 0, 0])
        XCTAssertEqual(pixel(crop, 29, 31), [0, 0, 255])
        // pad: scaled to 32x16 and centred: black bars of 8 rows above and below.
        let pad = try square("pad")
        XCTAssertEqual(pixel(pad, 4, 3), [0, 0, 0])
        XCTAssertEqual(pixel(pad, 4, 28), [0, 0, 0])
        XCTAssertEqual(pixel(pad, 4, 16), [255, 0, 0])
        XCTAssertEqual(pixel(pad, 28, 16), [0, 0, 255])
        // stretch: every row is the squeezed picture, no bars.
        let stretch = try square("stretch")
        XCTAssertEqual(pixel(stretch, 2, 0), [255, 0, 0])
        XCTAssertEqual(pixel(stretch, 29, 31), [0, 0, 255])
    }

    func testStopsWhenTheGraphStops() throws {
        let harness = try NodeHarness(VideoSourceNode.self, params: ["path": .string(fixture("clip.mp4"))])
        XCTAssertEqual(try harness.node.produce(harness), .more)
        harness.isStopping = true
        XCTAssertEqual(try harness.node.produce(harness), .done)
        try harness.finish()
        XCTAssertEqual(harness.outputs("frames").count, 1)
    }
}

final class SourcePacingTests: XCTestCase {
    /// realtime: true paces frames like a camera: 6 frames at 20 fps cannot all be out before frame 5 is
    /// due at 0.25 s. (A lower bound set by the node's own sleeps, not a performance claim.)
    func testRealtimeEmitsNoFasterThanTheFrameRate() throws {
        let harness = try NodeHarness(VideoSourceNode.self, params: ["path": .string(fixture("clip.mp4")), "fps": .float(20),
                                                                     "realtime": .bool(true), "max_frames": .int(6)])
        let start = Date()
        try harness.drainSource()
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(start), 0.25)
        XCTAssertEqual(harness.outputs("frames").count, 6)
    }
}

final class SourceContractTests: XCTestCase {
    func testShapeBindingsFollowTheParams() throws {
        let sized = try VideoSourceNode.contract.resolve(["path": .string("x.mp4"), "width": .int(64), "height": .int(32), "batch": .int(4)])
        XCTAssertEqual(VideoSourceNode.shapeBindings(sized).values, ["N": 4, "W": 64, "H": 32])
        // Without both dimensions the size comes from the file, unknown until it is opened.
        let native = try VideoSourceNode.contract.resolve(["path": .string("x.mp4"), "width": .int(64)])
        XCTAssertEqual(VideoSourceNode.shapeBindings(native).values, ["N": 1])
    }

    func testFamilyListsBothNodes() {
        XCTAssertEqual(VideoNodes.types.map { $0.contract.type }, ["video.encoder", "video.source"])
    }
}

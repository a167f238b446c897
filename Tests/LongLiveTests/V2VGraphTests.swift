import Foundation
import XCTest
import FlowKit
import FlowCore

/// Graphs/v2v.yaml end to end on the fixture model (text encoder stubbed): the input clip
/// (20 frames at 10 fps, 64x48) becomes 32 frames at 16 fps, cropped to 64x64 -> 8 latent frames ->
/// 2 whole blocks -> 24 output frames; ffprobe checks the MP4.
extension GraphEndToEndTests {
    func testVideoToVideoGraphWritesTheEncodedBlocks() throws {
        let clip = Self.repoRoot.appendingPathComponent("Tests/VideoTests/Fixtures/clip.mp4").path
        let (_, outcome, video) = try run(graph: "v2v.yaml", edits: [], overrides: ["input=\(clip)"])
        guard case .completed = outcome else { return XCTFail("run: \(outcome)") }
        XCTAssertEqual(try Self.probe(video, "stream=nb_read_frames"), "24")
        XCTAssertEqual(try Self.probe(video, "stream=codec_name"), "h264")
        XCTAssertEqual(try Self.probe(video, "stream=width"), "64")
        XCTAssertEqual(try Self.probe(video, "stream=r_frame_rate"), "16/1")
        XCTAssertEqual(try Self.frameCount(video), 24)
    }

    /// One ffprobe field of the first video stream (frames counted by decoding).
    static func probe(_ video: URL, _ entry: String) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/ffprobe")
        p.arguments = ["-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries", entry,
                       "-of", "default=noprint_wrappers=1:nokey=1", video.path]
        let pipe = Pipe()
        p.standardOutput = pipe
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

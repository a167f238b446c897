import XCTest
import FlowKit
@testable import VAENodes

final class VAEEncoderTests: XCTestCase {
    /// Encoding 4 frames (one latent frame) at a time matches reference.py's streamed encode, and
    /// the Swift whole-sequence encode matches the stream, within 1e-4.
    func testStreamingEncodeMatchesReference() throws {
        let fx = try Fixtures.file("vae_encode")
        let video = try Fixtures.tensor(fx, "video")
        let expected = try Fixtures.tensor(fx, "latents")
        let whole = try Fixtures.tensor(fx, "latents_whole")
        XCTAssertLessThan(maxAbsDifference(expected, whole), 1e-5, "the reference itself: streamed == whole")
        XCTAssertGreaterThan(maxAbs(expected), 0.1, "fixture is not trivially zero")
        var runner = try VAEEncoderRunner(modelFolder: Fixtures.modelFolder)
        var parts: [Tensor] = []
        for k in 0..<3 { parts.append(runner.encode(video.slice(dim: 0, (4 * k)..<(4 * k + 4)).contiguous())) }
        let streamed = Tensor.concatenate(parts, dim: 0)
        XCTAssertEqual(streamed.shape, [3, 16, 8, 8])
        let err = maxAbsDifference(streamed, expected)
        print("vae encoder streamed vs reference: max abs diff \(err)")
        XCTAssertLessThan(err, 1e-4)

        runner.reset()
        let all = runner.encode(video)
        let errWhole = maxAbsDifference(all, streamed)
        print("vae encoder whole vs streamed (Swift): max abs diff \(errWhole)")
        XCTAssertLessThan(errWhole, 1e-4)
    }

    /// The cache matters: latent frame 2 encoded without its history differs from the stream.
    func testCacheCarriesHistory() throws {
        let video = try Fixtures.tensor(try Fixtures.file("vae_encode"), "video")
        var runner = try VAEEncoderRunner(modelFolder: Fixtures.modelFolder)
        _ = runner.encode(video.slice(dim: 0, 0..<8).contiguous())
        let withHistory = runner.encode(video.slice(dim: 0, 8..<12).contiguous())
        runner.reset()
        let fresh = runner.encode(video.slice(dim: 0, 8..<12).contiguous())
        XCTAssertGreaterThan(maxAbsDifference(withHistory, fresh), 1e-3)
    }

    /// The node regroups batches of any size (5 + 7 + 13 frames) into latent frames and blocks of 3:
    /// 25 frames = 6 latent frames = 2 blocks, 1 frame left over; block 0 equals the reference.
    func testNodeRegroupsBatchesIntoBlocks() throws {
        let fx = try Fixtures.file("vae_encode")
        let video = try Fixtures.tensor(fx, "video")
        let expected = try Fixtures.tensor(fx, "latents")
        let bytes = FrameQuantizer.rgb24(video)            // the fixture video is exactly u8 / 127.5 - 1
        let frame = 64 * 64 * 3
        let h = try NodeHarness(VAEEncoderNode.self, params: ["model": .string(Fixtures.modelFolder), "block_frames": .int(3)])
        var first = 0
        for (i, n) in [5, 7, 13].enumerated() {
            let rgb = (first..<(first + n)).flatMap { f in bytes[((f % 12) * frame)..<((f % 12 + 1) * frame)] }
            try h.feed("frames", position: i, FrameBatch(width: 64, height: 64, firstFrame: first, fps: 16, rgb: rgb))
            first += n
        }
        let blocks = try h.payloads("latents", as: LatentBlock.self)
        XCTAssertEqual(blocks.map(\.frameCount), [3, 3])
        XCTAssertEqual(blocks.map(\.firstLatentFrame), [0, 3])
        let err = maxAbsDifference(blocks[0].latents.contiguous(), expected)
        print("vae.encoder node block 0 vs reference: max abs diff \(err)")
        XCTAssertLessThan(err, 1e-4)
    }

    func testNodeRejectsWrongFrameSize() throws {
        let h = try NodeHarness(VAEEncoderNode.self, params: ["model": .string(Fixtures.modelFolder)])
        XCTAssertThrowsError(try h.feed("frames", position: 0, FrameBatch(width: 32, height: 32, firstFrame: 0, fps: 16,
                                                                          rgb: [UInt8](repeating: 0, count: 32 * 32 * 3 * 4))))
    }
}

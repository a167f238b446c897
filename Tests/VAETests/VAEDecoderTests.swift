import XCTest
import FlowKit
@testable import VAENodes

final class VAEDecoderTests: XCTestCase {
    /// Streaming one latent frame at a time matches reference.py (which also streams) and the
    /// reference whole-sequence decode, within 1e-4.
    func testStreamingDecodeMatchesReference() throws {
        let fx = try Fixtures.file("vae_decode")
        let latents = try Fixtures.tensor(fx, "latents")
        let expected = try Fixtures.tensor(fx, "video")
        let whole = try Fixtures.tensor(fx, "video_whole")
        XCTAssertLessThan(maxAbsDifference(expected, whole), 1e-5, "the reference itself: streamed == whole")
        var runner = try VAEDecoderRunner(modelFolder: Fixtures.modelFolder)
        var parts: [Tensor] = []
        for f in 0..<latents.shape[0] { parts.append(runner.decode(latents.slice(dim: 0, f..<(f + 1)))) }
        let streamed = Tensor.concatenate(parts, dim: 0)
        XCTAssertEqual(streamed.shape, [16, 3, 64, 64])
        XCTAssertGreaterThan(maxAbs(expected), 0.1, "fixture is not trivially zero")
        let err = maxAbsDifference(streamed, expected)
        print("vae streamed vs reference: max abs diff \(err)")
        XCTAssertLessThan(err, 1e-4)

        runner.reset()
        let all = runner.decode(latents)
        let errWhole = maxAbsDifference(all, streamed)
        print("vae whole vs streamed (Swift): max abs diff \(errWhole)")
        XCTAssertLessThan(errWhole, 1e-4)
    }

    /// The cache matters: decoding frame 2 without its history differs from the stream.
    func testCacheCarriesHistory() throws {
        let fx = try Fixtures.file("vae_decode")
        let latents = try Fixtures.tensor(fx, "latents")
        var runner = try VAEDecoderRunner(modelFolder: Fixtures.modelFolder)
        _ = runner.decode(latents.slice(dim: 0, 0..<2))
        let withHistory = runner.decode(latents.slice(dim: 0, 2..<3))
        runner.reset()
        let fresh = runner.decode(latents.slice(dim: 0, 2..<3))
        XCTAssertGreaterThan(maxAbsDifference(withHistory, fresh), 1e-3)
    }

    /// The node turns a block of 3 latent frames into 12 RGB frames and numbers frames across blocks.
    func testNodeEmitsFrameBatches() throws {
        let fx = try Fixtures.file("vae_decode")
        let latents = try Fixtures.tensor(fx, "latents")
        let h = try NodeHarness(VAEDecoderNode.self, params: ["model": .string(Fixtures.modelFolder)])
        try h.feed("latents", position: 0, LatentBlock(latents: latents.slice(dim: 0, 0..<3).contiguous(), firstLatentFrame: 0, promptGeneration: 0))
        try h.feed("latents", position: 1, LatentBlock(latents: latents.slice(dim: 0, 3..<4).contiguous(), firstLatentFrame: 3, promptGeneration: 0))
        let batches = try h.payloads("frames", as: FrameBatch.self)
        XCTAssertEqual(batches.map(\.count), [12, 4])
        XCTAssertEqual(batches.map(\.firstFrame), [0, 12])
        XCTAssertEqual(batches[0].width, 64)
        // Frame 13 (second latent frame of the stream's 4th latent) equals the reference's pixel.
        let expected = try Fixtures.tensor(fx, "video")
        let v = expected[13, 1, 10, 20]
        let byte = UInt8((min(max(v, -1), 1) * 127.5 + 127.5).rounded())
        let index: Int = (64 * 64 + 10 * 64 + 20) * 3 + 1
        let got: UInt8 = batches[1].rgb[index]
        XCTAssertLessThanOrEqual(abs(Int(got) - Int(byte)), 1)
    }
}

import XCTest
import FlowKit
import FlowTestSupport
@testable import VAENodes

/// `precision: bf16` against f32 on the shipped VAE decoder, streamed over the golden fixture's latents: the
/// frames may move by a few bf16 roundings of the activations (bounded at 2% of the video's [-1, 1] range,
/// measured: printed), and must differ from f32 somewhere (bf16 really ran).
final class BF16DecoderTests: XCTestCase {
    func testBF16DecodeStaysCloseToF32() throws {
        try XCTSkipUnless(BF16Runtime.isAvailable, "this CPU has no native bf16 (\(BF16Runtime.kernelDescription))")
        let (modelDir, fx) = try ShippedModel.fixture("vae_decode", model: "vae")
        let latents = try fx.f32("latents")
        var videos: [Tensor] = []
        for precision in Precision.allCases {
            var runner = try VAEDecoderRunner(modelFolder: modelDir, precision: precision)
            videos.append(Tensor.concatenate((0..<latents.shape[0]).map { runner.decode(latents.slice(dim: 0, $0..<($0 + 1))) }, dim: 0))
        }
        let deviation = maxAbsDifference(videos[1], videos[0])
        let a = FrameQuantizer.rgb24(videos[1]), b = FrameQuantizer.rgb24(videos[0])
        let pixels = zip(a, b).map { abs(Int($0) - Int($1)) }
        print(String(format: "vae bf16 vs f32: max deviation %.4f of the [-1, 1] range; 8-bit pixels differ by at most %d, %.2f%% of them at all",
                     deviation, pixels.max() ?? 0, 100 * Double(pixels.filter { $0 > 0 }.count) / Double(pixels.count)))
        XCTAssertLessThan(deviation, 0.04)
        XCTAssertGreaterThan(deviation, 0)
    }
}

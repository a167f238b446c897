import Foundation
import XCTest
import FlowKit
@testable import VAENodes

/// The shipped VAE decoder against its golden fixture (Models/world-tiny, Tests/ModelFixtures).
final class ShippedVAEParityTests: XCTestCase {
    func testVAEDecodeMatchesTheGoldenFixture() throws {
        let (modelDir, fx) = try ShippedModel.fixture("vae_decode", model: "vae")
        let latents = try fx.f32("latents"), expected = try fx.f32("video")
        var runner = try VAEDecoderRunner(modelFolder: modelDir)
        let parts = (0..<latents.shape[0]).map { runner.decode(latents.slice(dim: 0, $0..<($0 + 1))) }
        let result = assertWithin(Tensor.concatenate(parts, dim: 0), expected,
                                  .network(reductionLength: try vaeDecoderReductionLength(modelDir)), "shipped vae decode")
        print("shipped vae streamed vs reference: error/bound \(result?.worstRatio ?? .infinity), max error \(result?.maxError ?? .infinity)")
    }
}

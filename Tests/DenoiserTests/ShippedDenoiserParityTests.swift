import Foundation
import XCTest
import FlowKit
@testable import DenoiserNodes
@testable import CacheNodes

/// The shipped denoiser's and drafter's streams, plain and guided, against their golden fixture (Models/world-tiny,
/// Tests/ModelFixtures, made by Training/export.py --fixtures). Skipped until they are exported.
final class ShippedDenoiserParityTests: XCTestCase {
    func testDenoiserStreamMatchesTheGoldenFixture() throws {
        let (modelDir, fx) = try ShippedModel.fixture("denoiser_stream", model: "denoiser")
        let model = try DiTModel(folder: try ModelFolder(path: modelDir))
        let worst = try stream(model, fx, expected: "latents", guidance: 1)
        print("shipped denoiser 5-block stream vs reference: error/bound \(worst)")
    }

    /// Classifier-free guidance: the unconditional call uses the exported empty-prompt states.
    func testGuidedDenoiserStreamMatchesTheGoldenFixture() throws {
        let (modelDir, fx) = try ShippedModel.fixture("denoiser_stream", model: "denoiser")
        guard fx.contains("latents_guided") else { throw XCTSkip("the exported fixture has no guided stream (older export)") }
        let model = try DiTModel(folder: try ModelFolder(path: modelDir))
        XCTAssertNotNil(model.weights.nullText, "the export ships the empty prompt's states")
        let scale = Double(try fx.f32("guidance").scalar)
        // Guidance weighs the two calls of every step by g and 1 − g, which scales the rounding budget
        // (DiTTolerance.swift). The fixture also records how far torch in float32 lands from the float64
        // reference on these very inputs: a check that the fixture itself is sound.
        let worst = try stream(model, fx, expected: "latents_guided", guidance: scale)
        var torch = "not recorded"
        if fx.contains("torch_f32_error_guided") {
            let torchError = try fx.f32("torch_f32_error_guided").scalar
            XCTAssertLessThan(torchError, 1e-3, "torch's own float32 drift is too large for this fixture to judge anything")
            torch = "\(torchError)"
        }
        print("shipped denoiser 5-block stream with guidance \(scale) vs reference: error/bound \(worst) (torch float32 max error \(torch))")
        // Guidance must change the output, or the check above could pass with it ignored.
        let plain = try fx.f32("latents"), guided = try fx.f32("latents_guided")
        XCTAssertGreaterThan(maxAbsDifference(plain, guided), 1e-2)
    }

    /// The drafter (the same block-causal DiT at 128 x 4, its own weights) against its own fixture, plain and
    /// guided: speculative decoding's drafts are this stream.
    func testDrafterStreamMatchesTheGoldenFixture() throws {
        let (modelDir, fx) = try ShippedModel.fixture("drafter_stream", model: "drafter")
        let model = try DiTModel(folder: try ModelFolder(path: modelDir), section: "drafter")
        let worst = try stream(model, fx, expected: "latents", guidance: 1)
        print("shipped drafter 5-block stream vs reference: error/bound \(worst)")
        guard fx.contains("latents_guided") else { return }
        let guided = try stream(model, fx, expected: "latents_guided", guidance: Double(try fx.f32("guidance").scalar))
        print("shipped drafter 5-block stream with guidance vs reference: error/bound \(guided)")
    }

    private func stream(_ model: DiTModel, _ fx: SafetensorsFile, expected key: String, guidance: Double) throws -> Double {
        let textA = model.textContext(try fx.f32("text_a"), generation: 0)
        let textB = model.textContext(try fx.f32("text_b"), generation: 1)
        return try FixtureStream(model: model, fixture: fx, textA: textA, textB: textB) { block, tokens in
            model.config.streamReductionLength(block: block, textTokens: tokens)
        }.check(expected: key, guidance: guidance)
    }
}

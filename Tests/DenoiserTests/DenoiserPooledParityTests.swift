import XCTest
import FlowKit
import FlowTestSupport
@testable import DenoiserNodes
@testable import CacheNodes

/// The pooled sentence conditioning (config.json `pooled_text`, world-tiny v2) against Training/reference.py
/// (float64) on a random pooled model (`python3 Training/make_longlive_fixtures.py --pooled`): the streaming loop
/// with a switch and re-cache, plain and guided, each element within the float32 rounding budget of the calls
/// behind it (DiTTolerance.swift, plus the sentence vector's own MLP below).
final class DenoiserPooledParityTests: XCTestCase {
    static var modelFolder: String { Fixtures.directory + "/model_pooled" }

    func loadModel() throws -> DiTModel { try DiTModel(folder: try ModelFolder(path: Self.modelFolder)) }

    func testThePooledModelLoadsItsSentenceWeights() throws {
        let model = try loadModel()
        XCTAssertTrue(model.config.pooledText)
        XCTAssertNotNil(model.weights.pooled, "pool_fc1 / pool_fc2")
        XCTAssertEqual(model.weights.pooled?.nullSentence?.shape, [model.config.textDim])
    }

    func testFiveBlockStreamWithRecache() throws {
        let worst = try stream(expected: "latents", guidance: 1)
        print("pooled denoiser 5-block stream vs reference: error/bound \(worst)")
    }

    /// Guidance's unconditional call takes the empty prompt's sentence vector (`null_sentence`) with `null_text`.
    func testGuidedStreamWithTheNullSentence() throws {
        let fx = try Fixtures.file("denoiser_pooled_stream")
        let scale = Double(try Fixtures.tensor(fx, "guidance").scalar)
        XCTAssertGreaterThan(scale, 1)
        // torch in float32 against the same reference on the same inputs: the fixture itself is sound.
        let torchError = try Fixtures.tensor(fx, "torch_f32_error_guided").scalar
        XCTAssertLessThan(torchError, 1e-3)
        let worst = try stream(expected: "latents_guided", guidance: scale)
        print("pooled denoiser 5-block stream with guidance \(scale) vs reference: error/bound \(worst) (torch float32 max error \(torchError))")
        // Guidance must change the output, or the check above could pass with it ignored.
        XCTAssertGreaterThan(maxAbsDifference(try Fixtures.tensor(fx, "latents"), try Fixtures.tensor(fx, "latents_guided")), 1e-2)
    }

    /// The stream check cannot tell a sentence vector that is ignored from one that barely matters; one call can.
    func testTheSentenceVectorSteersTheCall() throws {
        let model = try loadModel()
        let fx = try Fixtures.file("denoiser_pooled_stream")
        let tokens = try Fixtures.tensor(fx, "text_a")
        let x = try Fixtures.tensor(fx, "noises").select(dim: 0, 0).select(dim: 0, 0).contiguous()
        let call = { (sentence: String) -> Tensor in
            let text = try model.textContext(tokens, sentence: try Fixtures.tensor(fx, sentence), generation: 0)
            return model.forward(x, timesteps: [500, 500, 500], positions: [0, 1, 2], text: text, prefix: nil).velocity
        }
        XCTAssertGreaterThan(maxAbsDifference(try call("sentence_a"), try call("sentence_b")), 1e-2)
    }

    func testAMissingOrMisshapenSentenceIsAClearError() throws {
        let model = try loadModel()
        let tokens = try Fixtures.tensor(try Fixtures.file("denoiser_pooled_stream"), "text_a")
        XCTAssertThrowsError(try model.textContext(tokens, sentence: Tensor(shape: [383], repeating: 0.05), generation: 0)) {
            XCTAssertTrue("\($0)".contains("384"), "\($0)")
        }
        XCTAssertThrowsError(try model.textContext(tokens, sentence: tokens, generation: 0)) {
            XCTAssertTrue("\($0)".contains("sentence"), "\($0)")
        }
        XCTAssertThrowsError(try model.textContext(tokens, sentence: nil, generation: 0)) {
            XCTAssertTrue("\($0)".contains("pooled_text"), "\($0)")
        }
    }

    private func stream(expected key: String, guidance: Double) throws -> Double {
        let model = try loadModel()
        let fx = try Fixtures.file("denoiser_pooled_stream")
        let textA = try model.textContext(try fx.f32("text_a"), sentence: try fx.f32("sentence_a"), generation: 0)
        let textB = try model.textContext(try fx.f32("text_b"), sentence: try fx.f32("sentence_b"), generation: 1)
        return try FixtureStream(model: model, fixture: fx, textA: textA, textB: textB) { block, tokens in
            model.config.pooledStreamReductionLength(block: block, textTokens: tokens)
        }.check(expected: key, guidance: guidance)
    }
}

extension DiTConfig {
    /// The sentence vector's MLP (pool_fc1 over text_dim + bias, pool_fc2 over D + bias) adds a second path
    /// into every frame's timestep embedding, ahead of the modulation; counted like the other paths there.
    var pooledReductionLength: Double { pooledText ? Double((textDim + 1) + (dim + 1)) : 0 }

    /// `streamReductionLength` with that path in each call of the chain.
    func pooledStreamReductionLength(block: Int, textTokens: Int) -> Double {
        let chain = block * (sampler.steps.count + 1) + sampler.steps.count
        return streamReductionLength(block: block, textTokens: textTokens) + Double(chain) * pooledReductionLength
    }
}

import Foundation
import XCTest
import FlowKit
import FlowTestSupport
@testable import DenoiserNodes
@testable import CacheNodes

/// config.json `pooled_text` is the only switch of the sentence conditioning: off (absent, the shipped model)
/// leaves the model exactly as before whatever sentence vector a prompt carries; a switch that disagrees with
/// the weights is refused at load, not run as the other model; and the node hands each prompt's
/// `TextEmbedding.sentence` to the model.
final class PooledTextSwitchTests: XCTestCase {
    func testModelsWithoutPooledTextIgnoreTheSentence() throws {
        let model = try DiTModel(folder: try ModelFolder(path: Fixtures.modelFolder))
        XCTAssertFalse(model.config.pooledText)
        XCTAssertNil(model.weights.pooled)
        let fx = try Fixtures.file("denoiser_forward")
        let tokens = try Fixtures.tensor(fx, "text"), x = try Fixtures.tensor(fx, "x")
        let plain = model.textContext(tokens, generation: 0)
        // Any vector at all, even one of the wrong length: this model has no use for it.
        let withSentence = try model.textContext(tokens, sentence: Tensor(shape: [5], repeating: 3), generation: 0)
        XCTAssertNil(withSentence.pooled)
        let t = try Fixtures.tensor(fx, "t").toArray()
        let a = model.forward(x, timesteps: t, positions: [6, 7, 8], text: plain, prefix: nil).velocity
        let b = model.forward(x, timesteps: t, positions: [6, 7, 8], text: withSentence, prefix: nil).velocity
        assertWithin(b, a, .exact, "forward with and without a sentence vector")
    }

    /// v2 (Models/world-tiny) takes the sentence vector; v1 (Models/world-tiny-v1) does not, and both guide.
    func testTheShippedModelsPooledConditioning() throws {
        for (name, pooled) in [("Models/world-tiny", true), ("Models/world-tiny-v1", false)] {
            let dir = Repository.root.appendingPathComponent(name).path
            guard let folder = try? ModelFolder(path: dir), (try? folder.section("denoiser")) != nil else {
                throw XCTSkip("\(name) not exported")
            }
            let model = try DiTModel(folder: folder)
            XCTAssertEqual(model.config.pooledText, pooled, name)
            XCTAssertEqual(model.weights.pooled != nil, pooled, name)
            XCTAssertEqual(model.weights.pooled?.nullSentence != nil, pooled, "\(name): guidance's null_sentence")
            XCTAssertNotNil(try BlockSampler.Guidance(model: model, scale: 4), name)
        }
    }

    func testPooledWeightsWithoutTheSwitchAreRefused() throws {
        let dir = try folder(weightsFrom: "model_pooled") { $0.removeValue(forKey: "pooled_text") }
        XCTAssertThrowsError(try DiTModel(folder: try ModelFolder(path: dir.path))) {
            XCTAssertTrue("\($0)".contains("pooled_text"), "\($0)")
        }
    }

    func testTheSwitchWithoutItsWeightsIsRefused() throws {
        let dir = try folder(weightsFrom: "model") { $0["pooled_text"] = true }
        XCTAssertThrowsError(try DiTModel(folder: try ModelFolder(path: dir.path))) {
            XCTAssertTrue("\($0)".contains("pool_fc1"), "\($0)")
        }
    }

    func testASwitchThatIsNotABooleanIsRefused() throws {
        let dir = try folder(weightsFrom: "model") { $0["pooled_text"] = "yes" }
        XCTAssertThrowsError(try DiTModel(folder: try ModelFolder(path: dir.path))) {
            XCTAssertTrue("\($0)".contains("pooled_text"), "\($0)")
        }
    }

    /// One block through denoiser.block: the same tokens and seed with another sentence vector give other
    /// latents, and a vector of the wrong length stops the node with the reason.
    func testTheNodeHandsThePromptsSentenceToTheModel() throws {
        let fx = try Fixtures.file("denoiser_pooled_stream")
        let tokens = try Fixtures.tensor(fx, "text_a")
        let a = try oneBlock(tokens: tokens, sentence: try Fixtures.tensor(fx, "sentence_a"))
        let b = try oneBlock(tokens: tokens, sentence: try Fixtures.tensor(fx, "sentence_b"))
        XCTAssertGreaterThan(maxAbsDifference(a, b), 1e-3)
        XCTAssertThrowsError(try oneBlock(tokens: tokens, sentence: Tensor(shape: [383], repeating: 0.05))) {
            XCTAssertTrue("\($0)".contains("384"), "\($0)")
        }
    }

    private func oneBlock(tokens: Tensor, sentence: Tensor) throws -> Tensor {
        let den = try NodeHarness(DenoiserBlockNode.self, params: ["model": .string(DenoiserPooledParityTests.modelFolder),
                                                                  "frames": .int(12), "seed": .int(3)])
        let embedding = TextEmbedding(text: "a", generation: 0, startFrame: 0, tokenIDs: [], tokenStates: tokens,
                                      sentence: sentence, truncated: false)
        try den.feed("text", Packet(position: 0, payload: embedding))
        try den.feed("cache", position: 0, LoopSeed())
        let latents = try den.payloads("latents", as: LatentBlock.self)
        _ = den.readOutputs("kv")
        XCTAssertEqual(latents.count, 1)
        return try XCTUnwrap(latents.first).latents
    }

    /// A model folder with the weights of fixture folder `source` and its config.json's denoiser section edited.
    private func folder(weightsFrom source: String, edit: (inout [String: Any]) -> Void) throws -> URL {
        let tmp = try makeTemporaryFolder(prefix: "pooled-switch")
        let from = URL(fileURLWithPath: Fixtures.directory).appendingPathComponent(source)
        var config = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: from.appendingPathComponent("config.json"))) as? [String: Any])
        var section = try XCTUnwrap(config["denoiser"] as? [String: Any])
        edit(&section)
        config["denoiser"] = section
        try JSONSerialization.data(withJSONObject: config).write(to: tmp.url.appendingPathComponent("config.json"))
        try FileManager.default.copyItem(at: from.appendingPathComponent("denoiser.safetensors"),
                                         to: tmp.url.appendingPathComponent("denoiser.safetensors"))
        return tmp.url
    }
}

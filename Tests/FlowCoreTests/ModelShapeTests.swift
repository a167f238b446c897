import Foundation
import XCTest
import FlowCore

/// Latent sizes come from each model's config.json, so a graph that joins models with other latent sizes
/// fails to compile, and the error points at the `model:` line that brought the other size in.
final class ModelShapeTests: XCTestCase {
    static let shippedModel = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../Models/world-tiny").standardizedFileURL.path

    /// A copy of the shipped config.json whose VAE compresses 16x: latents of 4x4 instead of 8x8.
    func otherModel() throws -> String {
        let dir = Fixtures.temporaryDirectory().appendingPathComponent("coarse-model")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let data = try Data(contentsOf: URL(fileURLWithPath: Self.shippedModel + "/config.json"))
        var config = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        var vae = try XCTUnwrap(config["vae"] as? [String: Any])
        vae["spatial_factor"] = 16
        config["vae"] = vae
        try JSONSerialization.data(withJSONObject: config).write(to: dir.appendingPathComponent("config.json"))
        return dir.path
    }

    func graph(vaeModel: String, kv: String = "{ type: cache.manager, inputs: { update: denoise.kv } }") -> String {
        """
        version: 1
        name: two-models
        nodes:
          text: { type: prompt.source, text: "a red circle", terminal: "off" }
          embed: { type: text.encoder, inputs: { prompt: text.prompt } }
          kv: \(kv)
          denoise:
            type: denoiser.block
            model: \(Self.shippedModel)
            inputs: { text: embed.embedding, cache: { from: kv.context, feedback: true } }
          vae:
            type: vae.decoder
            model: \(vaeModel)
            inputs: { latents: denoise.latents }
          sink: { type: sink.collect, inputs: { in: vae.frames } }
        """
    }

    func testOneModelCompiles() throws {
        let result = compile(Fixtures.graph(graph(vaeModel: Self.shippedModel)))
        XCTAssertNotNil(result.graph, result.renderer.render(result.diagnostics))
    }

    func testAModelWithOtherLatentSizesIsAnErrorAtItsModelLine() throws {
        let result = compile(Fixtures.graph(graph(vaeModel: try otherModel())))
        XCTAssertNil(result.graph)
        let errors = result.diagnostics.filter { $0.severity == .error }
        let error = try XCTUnwrap(errors.first, result.renderer.render(result.diagnostics))
        XCTAssertEqual(errors.count, 1, result.renderer.render(result.diagnostics))
        XCTAssertTrue(error.message.contains("shape mismatch on edge denoise.latents -> vae.latents"), error.message)
        XCTAssertTrue(error.message.contains("is 8 at the producer but 4 at the consumer"), error.message)
        XCTAssertTrue(error.message.contains("follows from param 'model' of node 'vae'"), error.message)
        XCTAssertEqual(error.location?.line, 13, "the vae's model: line")
        XCTAssertEqual(error.location?.column, 12)
    }

    /// A cache window other than the model's compiles, with a warning at the window: line.
    func testACacheWindowOtherThanTheModelsIsAWarningAtItsLine() throws {
        let kv = "{ type: cache.manager, model: \(Self.shippedModel), window: 12, inputs: { update: denoise.kv } }"
        let result = compile(Fixtures.graph(graph(vaeModel: Self.shippedModel, kv: kv)))
        XCTAssertNotNil(result.graph, result.renderer.render(result.diagnostics))
        let warning = try XCTUnwrap(result.diagnostics.first { $0.severity == .warning && $0.message.contains("departs") })
        XCTAssertTrue(warning.message.contains("param 'window' of node 'kv': window 12 departs from the 9 latent frames"), warning.message)
        XCTAssertEqual(warning.location?.line, 6)
    }
}

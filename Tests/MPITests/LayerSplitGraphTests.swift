import Foundation
import XCTest

/// A denoiser split by layers inside real graphs: with a prompt switch (the re-cache pass runs whole on the first
/// half's rank, and the far half gets the new prompt's K/V), in one process and on two ranks.
final class LayerSplitGraphTests: XCTestCase {
    private func graph(split: Bool, out: String) -> String {
        let model = MPIHarness.repo.appendingPathComponent("Models/world-tiny").path
        let denoiseSplit = split ? """

            layers: [0, 2]
        """ : ""
        let behind = split ? ", behind: { from: tail.replies, feedback: true }" : ""
        let tail = split ? """

          tail: { type: denoiser.layers, rank: 1, model: \(model), layers: [2, 6], inputs: { calls: denoise.ahead } }
        """ : ""
        return """
        version: 1
        name: switch
        nodes:
          prompts:
            type: prompt.source
            terminal: "off"
            timeline:
              - { at: 0, text: "a large red circle moves right on a dark blue background" }
              - { at: 24, text: "a small green square moves left on a black background" }
          text: { type: text.encoder, inputs: { prompt: prompts.prompt } }
          kv: { type: cache.manager, model: \(model), recache: on-switch, inputs: { update: denoise.kv } }
          denoise:
            type: denoiser.block
            model: \(model)
            frames: 48\(denoiseSplit)
            inputs: { text: text.embedding, cache: { from: kv.context, feedback: true }\(behind) }\(tail)
          vae: { type: vae.decoder, model: \(model), inputs: { latents: denoise.latents } }
          video: { type: video.encoder, path: \(out), overwrite: true, inputs: { frames: vae.frames } }
        """
    }

    func testPromptSwitchGivesTheSameFramesSplitOrWhole() throws {
        try MPIHarness.requireFlowrun()
        let dir = try TemporaryFolder()
        let whole = try MPIHarness.graph(graph(split: false, out: dir.file("whole.mp4")), in: dir, name: "whole.yaml")
        let split = try MPIHarness.graph(graph(split: true, out: dir.file("split.mp4")), in: dir, name: "split.yaml")
        for path in [whole, split] {
            let r = try MPIHarness.run(ranks: nil, [path, "--quiet"])
            XCTAssertEqual(r.status, 0, r.stderr)
        }
        let frames = try MPIHarness.decodedFrames(dir.file("whole.mp4"))
        XCTAssertEqual(frames.count, 48 * 64 * 64 * 3)
        XCTAssertEqual(try MPIHarness.decodedFrames(dir.file("split.mp4")), frames, "split at layer 2 in one process")
        if MPIHarness.mpirun != nil {
            let onRanks = try MPIHarness.graph(graph(split: true, out: dir.file("ranks.mp4")), in: dir, name: "ranks.yaml")
            let r = try MPIHarness.run(ranks: 2, [onRanks, "--quiet"])
            XCTAssertEqual(r.status, 0, r.stderr)
            XCTAssertEqual(try MPIHarness.decodedFrames(dir.file("ranks.mp4")), frames, "split at layer 2 across two ranks")
        }
    }
}

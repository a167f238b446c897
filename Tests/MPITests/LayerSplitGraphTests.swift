import Foundation
import XCTest
import FlowKit
import FlowCore
import BuiltinNodes
import Synchronization

/// A denoiser split by layers in a real graph (the compiler, the concurrent scheduler, the feedback edge of
/// replies) across a prompt switch: the re-cache pass runs whole on the first half, and the far half gets the new
/// prompt's cross-attention K/V. The prompts are encoded by the deterministic text stub: text.encoder batches
/// prompts that are queued together, and whether the timeline's two prompts are (timing) changes their bits,
/// split or not, so it would make this comparison flaky (see the report of issue 20).
final class LayerSplitGraphTests: XCTestCase {
    private func graph(split: Bool) -> String {
        let model = MPIHarness.repo.appendingPathComponent("Models/world-tiny").path
        // The split makes guidance's two calls separately; the whole denoiser does the same when told to.
        let splitParams = split ? "\n    layers: [0, 2]" : "\n    guidance_calls: separate"
        let behind = split ? ", behind: { from: tail.replies, feedback: true }" : ""
        let tail = split ? "\n  tail: { type: denoiser.layers, rank: 1, model: \(model), layers: [2, 6], inputs: { calls: denoise.ahead } }" : ""
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
          text: { type: test.text_stub, inputs: { prompt: prompts.prompt } }
          kv: { type: cache.manager, model: \(model), recache: on-switch, inputs: { update: denoise.kv } }
          denoise:
            type: denoiser.block
            model: \(model)
            frames: 48\(splitParams)
            inputs: { text: text.embedding, cache: { from: kv.context, feedback: true }\(behind) }\(tail)

        """
    }

    /// Runs the graph concurrently in this process and returns the bits of every block's latents.
    private func latents(split: Bool) throws -> [[UInt32]] {
        let dir = try TemporaryFolder()
        let path = try MPIHarness.graph(graph(split: split), in: dir)
        let registry = NodeRegistry()
        for t in BuiltinNodes.types { try registry.register(t) }
        try registry.register(TextStubNode.self)
        // One core: every heavy node's thread budget, and so OpenBLAS's thread count, is 1 in both graphs (the whole
        // graph would otherwise give its one heavy node two threads, and sgemm's rounding follows its thread count).
        let result = GraphCompiler(registry: registry, cores: 1).compile(file: path)
        let compiled = try XCTUnwrap(result.graph, result.renderer.render(result.diagnostics))
        let run = try GraphRun(graph: compiled)
        let blocks = Mutex<[[UInt32]]>([])
        run.tap(node: "denoise", port: "latents") { event in
            if case .packet(let p) = event, let block = p.payload as? LatentBlock {
                blocks.withLock { $0.append(block.latents.toArray().map(\.bitPattern)) }
            }
        }
        guard case .completed = run.run() else { XCTFail("the \(split ? "split" : "whole") graph did not complete"); return [] }
        return blocks.withLock { $0 }
    }

    func testPromptSwitchGivesTheSameLatentsSplitOrWhole() throws {
        let whole = try latents(split: false)
        XCTAssertEqual(whole.count, 4)
        let split = try latents(split: true)
        XCTAssertEqual(split.count, 4)
        for (b, (a, c)) in zip(whole, split).enumerated() { XCTAssertTrue(a == c, "block \(b) differs split at layer 2") }
    }
}

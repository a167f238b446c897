import XCTest
import FlowKit
import FlowTestSupport
@testable import DenoiserNodes
@testable import CacheNodes
@testable import MemoryNodes

/// The LongLive-RAG loop node by node — denoiser sampler, cache.manager, memory.retriever — against the
/// reference's infinity stream with retrieval (reference.py `memory_stream_fixture`): the retriever must pick
/// the reference's frames from what the cache manager evicted, and the blocks must match the reference's.
final class RetrievalLoopParityTests: XCTestCase {
    func testTheLoopRetrievesWhatTheReferenceRetrievesAndMatchesItsBlocks() throws {
        let (dir, fx) = try ShippedModel.fixture("memory_stream", model: "descriptor")
        let model = try DiTModel(folder: try ModelFolder(path: dir))
        let s = model.config.sampler
        var sampler = BlockSampler(model: model, schedule: FlowSchedule(steps: s.steps, shift: s.shift), blockFrames: s.blockFrames)
        sampler.positionMode = .infinity
        let k = Int(try fx.f32("k").scalar), slot = Int(try fx.f32("slot").scalar)
        let kv = try NodeHarness(CacheManagerNode.self, params: ["model": .string(dir)])
        let memory = try NodeHarness(MemoryRetrieverNode.self, params: [
            "model": .string(dir), "k": .int(k), "exclude_recent": .int(Int(try fx.f32("exclude_recent").scalar)),
            "slot": .int(slot), "budget_mb": .float(64)])
        let noises = try fx.f32("noises"), expected = try fx.f32("latents_rag")
        let picks = try fx.f32("retrieved").toArray().map { Int($0) }
        let switchBlock = Int(try fx.f32("switch_block").scalar)
        let textA = model.textContext(try fx.f32("text_a"), generation: 0), textB = model.textContext(try fx.f32("text_b"), generation: 1)
        var context = KVContext.empty()
        var worst = 0.0, retrievedAny = false
        for b in 0..<noises.shape[0] {
            let text = b < switchBlock ? textA : textB
            var visible = AttentionPrefix(context)
            if b == switchBlock {
                visible.window = try sampler.recache(window: context.window, sink: context.sink, text: text)
                try kv.feed("update", Packet(position: b, payload: KVUpdate(kind: .recache, frames: visible.window, block: b, blockFrames: s.blockFrames)))
            }
            let want = picks[(b * k)..<((b + 1) * k)].filter { $0 >= 0 }
            XCTAssertEqual(context.memory.map(\.position), want, "block \(b): retrieved frames")
            retrievedAny = retrievedAny || !want.isEmpty
            let blockNoise = noises.select(dim: 0, b)
            let draws = (0..<blockNoise.shape[0]).map { blockNoise.select(dim: 0, $0).contiguous() }
            let result = sampler.generate(block: b, noises: draws, text: text, visible: visible)
            let keys = (s.sinkFrames + s.windowFrames + s.blockFrames + k) * model.config.tokensPerFrame
            let chain = b * (s.steps.count + 1) + s.steps.count
            let tolerance = Tolerance.network(reductionLength: Double(chain) * model.config.reductionLength(keys: keys, textTokens: max(textA.tokens, textB.tokens)))
            let r = assertWithin(result.x0, expected.select(dim: 0, b).contiguous(), tolerance, "block \(b)")
            worst = max(worst, r?.worstRatio ?? .infinity)
            // The cache manager emits the block's evictions before its context: hand the retriever the
            // context first, so it must wait for them.
            try kv.feed("update", Packet(position: b, payload: KVUpdate(kind: .append, frames: result.frames, block: b, blockFrames: s.blockFrames)))
            for c in kv.readOutputs("context") { try memory.feed("context", c) }
            for e in kv.readOutputs("evicted") { try memory.feed("evicted", e) }
            kv.clearOutputs()
            let answers = memory.readOutputs("context")
            memory.clearOutputs()
            XCTAssertEqual(answers.count, 1, "block \(b + 1): one context from the retriever")
            context = try XCTUnwrap(answers.first).value(as: KVContext.self)
        }
        XCTAssertTrue(retrievedAny)
        print("LongLive-RAG loop (cache.manager + memory.retriever + infinity sampler) vs reference: error/bound \(worst)")
    }
}

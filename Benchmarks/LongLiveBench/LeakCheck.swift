import Foundation
import FlowKit
import DenoiserNodes
import CacheNodes
import VAENodes
import MemoryNodes

/// `--leak-check BLOCKS`: the denoiser, cache manager and decoder driven directly (no runtime, no
/// video encoder), printing RSS every 40 blocks, to tell growth in these nodes from growth elsewhere.
enum LeakCheck {
    /// `rag`: the position-free cache with memory.retriever between the cache manager and the denoiser.
    static func run(model: String, blocks: Int, rag: Bool = false) throws {
        let den = try NodeHarness(DenoiserBlockNode.self, params: ["model": .string(model), "frames": .int(blocks * 12),
                                                                 "positions": .string(rag ? "infinity" : "absolute")])
        let kv = try NodeHarness(CacheManagerNode.self, params: [:])
        let memory = rag ? try NodeHarness(MemoryRetrieverNode.self, params: ["model": .string(model)]) : nil
        let vae = try NodeHarness(VAEDecoderNode.self, params: ["model": .string(model)])
        let tokens = Tensor(shape: [12, 384], repeating: 0.1)
        try den.feed("text", Packet(position: 0, payload: TextEmbedding(text: "x", generation: 0, startFrame: 0, tokenIDs: [],
                                                                       tokenStates: tokens, sentence: Tensor(zeros: [384]), truncated: false)))
        try den.feed("cache", position: 0, LoopSeed())
        var block = 0
        while !den.ended {
            for p in den.outputs("latents") { try vae.feed("latents", p) }
            for p in den.outputs("kv") { try kv.feed("update", p) }
            den.clearOutputs()
            vae.clearOutputs()
            var contexts = kv.outputs("context")
            if let memory {
                for e in kv.outputs("evicted") { try memory.feed("evicted", e) }
                for c in contexts { try memory.feed("context", c) }
                contexts = memory.outputs("context")
                memory.clearOutputs()
            }
            kv.clearOutputs()
            block += 1
            if block % 40 == 0 { print("block \(block): RSS \(Memory.residentBytes() / 1_048_576) MiB") }
            for c in contexts { try den.feed("cache", c) }
        }
    }
}

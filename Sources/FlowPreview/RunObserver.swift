import FlowKit
import Foundation
import Synchronization

/// What the taps saw: prompts with the block and frame where each took effect, frame and block
/// counts and times. Fed from node threads (cheap, under one lock), read by the status ticker.
final class RunObserver: Sendable {
    struct PromptRecord: Sendable, Encodable {
        var generation: Int
        var text: String
        var mode: String
        /// The first denoiser block generated under it (nil until then, or without a latent port).
        var block: Int?
        /// The first output frame made under it.
        var frame: Int?
        /// Typed prompts: from leaving the prompt source to its first output frame.
        var latencyMs: Double?
        var emittedAt: UInt64

        enum CodingKeys: String, CodingKey { case generation, text, mode, block, frame, latencyMs }
    }

    struct State: Sendable {
        var prompts: [PromptRecord] = []
        var frames = 0
        var lastFrame = -1
        var width = 0
        var height = 0
        var blocks = 0
        var lastBlock = -1
        var lastBlockAt: UInt64?
        /// The last few intervals between blocks, for the page's "block time".
        var recentBlockNanos: [UInt64] = []
        var lastPromptLatencyMs: Double?
        var currentGeneration: Int?
    }

    static let maxPrompts = 200
    let state = Mutex(State())

    func prompt(_ p: Prompt, at now: UInt64) {
        state.withLock { s in
            s.prompts.append(PromptRecord(generation: p.generation, text: p.text, mode: p.mode.rawValue, emittedAt: now))
            if s.prompts.count > Self.maxPrompts { s.prompts.removeFirst(s.prompts.count - Self.maxPrompts) }
        }
    }

    /// Returns the interval since the previous block, if any.
    func latent(block: Int, generation: Int, at now: UInt64) -> UInt64? {
        state.withLock { s in
            s.blocks += 1
            s.lastBlock = block
            if let i = s.prompts.lastIndex(where: { $0.generation == generation }), s.prompts[i].block == nil {
                s.prompts[i].block = block
            }
            defer { s.lastBlockAt = now }
            guard let last = s.lastBlockAt, now > last else { return nil }
            s.recentBlockNanos.append(now - last)
            if s.recentBlockNanos.count > 8 { s.recentBlockNanos.removeFirst() }
            return now - last
        }
    }

    /// Returns the prompt that this batch is the first output of, if it is.
    func frames(_ batch: FrameBatch, at now: UInt64) -> PromptRecord? {
        state.withLock { s in
            s.frames += batch.count
            s.lastFrame = batch.firstFrame + batch.count - 1
            s.width = batch.width
            s.height = batch.height
            guard let g = batch.promptGeneration, g != s.currentGeneration else { return nil }
            s.currentGeneration = g
            guard let i = s.prompts.lastIndex(where: { $0.generation == g }), s.prompts[i].frame == nil else { return nil }
            s.prompts[i].frame = batch.firstFrame
            if s.prompts[i].mode == Prompt.Mode.live.rawValue, now > s.prompts[i].emittedAt {
                let ms = Double(now - s.prompts[i].emittedAt) / 1e6
                s.prompts[i].latencyMs = ms
                s.lastPromptLatencyMs = ms
            }
            return s.prompts[i]
        }
    }

    func snapshot() -> State { state.withLock { $0 } }
}

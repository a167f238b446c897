import XCTest
import FlowKit
import FlowCore
import InteractiveNodes
@testable import DenoiserNodes
@testable import CacheNodes

/// denoiser.block and cache.manager in their feedback loop: as an embedded graph on the real compiler and
/// sequential scheduler, and hand-fed through harnesses where a test must choose when a prompt arrives.
final class DenoiserNodeTests: XCTestCase {
    struct LoopRun {
        var latents: [LatentBlock] = []
        var updates: [KVUpdate] = []
        /// The denoiser's unfinished work when the run ended (prompts past the last frame, say).
        var pending: [String] = []
    }

    /// prompt.source (a timeline) -> text stub -> denoiser <-> cache manager, run to the end.
    func runGraph(seed: Int, frames: Int, timeline: [(Int, String)], quantize: String = "none") throws -> LoopRun {
        let g = EmbeddedGraph()
        let entries: [ParamValue] = timeline.map { .map(["at": .int($0.0), "text": .string($0.1)]) }
        g.add("prompts", PromptSourceNode.self, ["timeline": .list(entries), "terminal": .string("off")])
        g.add("text", TextStubNode.self)
        g.add("denoise", DenoiserBlockNode.self, ["model": .string(Fixtures.modelFolder), "frames": .int(frames), "seed": .int(seed)])
        g.add("kv", CacheManagerNode.self, ["quantize": .string(quantize)])
        g.connect("prompts.prompt", to: "text.prompt")
        g.connect("text.embedding", to: "denoise.text")
        g.connect("denoise.kv", to: "kv.update")
        g.connect("kv.context", to: "denoise.cache", feedback: true)
        g.capture("denoise.latents")
        g.capture("denoise.kv")
        let run = try g.run()
        XCTAssertEqual(run.node("denoise", as: DenoiserBlockNode.self)?.pendingWork, [])
        return LoopRun(latents: try run.payloads("denoise.latents"), updates: try run.payloads("denoise.kv"))
    }

    /// The loop hand-fed through harnesses, for what a graph cannot stage: `prompts` are fed up front
    /// except those listed in `late`, which are fed after block `lateAfterBlock`. Ends with no leftovers.
    func runLoop(seed: Int, frames: Int, prompts: [Prompt], late: [Prompt] = [],
                 lateAfterBlock: Int = 0, expectWait: Bool = true, quantize: String = "none") throws -> LoopRun {
        let den = try NodeHarness(DenoiserBlockNode.self, params: ["model": .string(Fixtures.modelFolder), "frames": .int(frames), "seed": .int(seed)])
        let kv = try NodeHarness(CacheManagerNode.self, params: ["quantize": .string(quantize)])
        for p in prompts { try den.feed("text", Packet(position: p.startFrame, payload: TextStubNode.embedding(p))) }
        try den.feed("cache", position: 0, LoopSeed())
        var run = LoopRun()
        var lateFed = late.isEmpty
        while !den.ended {
            let updates = try den.payloads("kv", as: KVUpdate.self)
            run.latents += try den.payloads("latents", as: LatentBlock.self)
            run.updates += updates
            den.clearOutputs()
            for u in updates { try kv.feed("update", position: u.block, u) }
            let contexts = kv.outputs("context")
            kv.clearOutputs()
            if contexts.isEmpty {
                guard !lateFed, run.latents.count > lateAfterBlock else { XCTFail("loop stalled"); break }
                for p in late { try den.feed("text", Packet(position: p.startFrame, payload: TextStubNode.embedding(p))) }
                lateFed = true
                continue
            }
            for c in contexts { try den.feed("cache", c) }
            if !lateFed && run.latents.count == lateAfterBlock + 1 {
                if expectWait {
                    XCTAssertTrue(den.outputs("latents").isEmpty, "block \(lateAfterBlock + 1) must wait for its timeline prompt")
                }
                for p in late { try den.feed("text", Packet(position: p.startFrame, payload: TextStubNode.embedding(p))) }
                lateFed = true
            }
        }
        run.latents += try den.payloads("latents", as: LatentBlock.self)
        run.updates += try den.payloads("kv", as: KVUpdate.self)
        let left = try den.finish()
        XCTAssertEqual(left.unreadOutputs, [:])
        XCTAssertEqual(left.unprocessedInputs, 0)
        run.pending = left.pendingWork
        _ = kv.readOutputs("evicted")
        try kv.finishClean()
        return run
    }

    static let single = [Prompt(text: "a red circle", startFrame: 0, generation: 0, mode: .timeline)]

    func testSameSeedGivesTheSameFrames() throws {
        let a = try runGraph(seed: 7, frames: 36, timeline: [(0, "a red circle")])
        let b = try runGraph(seed: 7, frames: 36, timeline: [(0, "a red circle")])
        let c = try runGraph(seed: 8, frames: 36, timeline: [(0, "a red circle")])
        XCTAssertEqual(a.latents.count, 3)
        XCTAssertEqual(a.latents.map(\.firstLatentFrame), [0, 3, 6])
        for (x, y) in zip(a.latents, b.latents) { XCTAssertEqual(maxAbsDifference(x.latents, y.latents), 0) }
        XCTAssertGreaterThan(maxAbsDifference(a.latents[2].latents, c.latents[2].latents), 1e-3)
        XCTAssertEqual(a.updates.map(\.kind), [.append, .append, .append])
    }

    /// Guidance needs the empty prompt's states in the weights; a model without them is refused before
    /// any block, with a message that says what to do (guidance 1 needs nothing).
    func testGuidanceWithoutNullTextIsAClearError() throws {
        XCTAssertThrowsError(try NodeHarness(DenoiserBlockNode.self, params: ["model": .string(Fixtures.modelFolder), "guidance": .float(3)])) { error in
            XCTAssertTrue("\(error)".contains("null_text"), "\(error)")
        }
        XCTAssertNoThrow(try NodeHarness(DenoiserBlockNode.self, params: ["model": .string(Fixtures.modelFolder), "guidance": .float(1)]))
    }

    /// A timeline switch at frame 24 applies at block 2 exactly, waits for its prompt if it is late,
    /// and re-caches the window (frames 3..5; the sink 0..2 keeps the old prompt).
    func testTimelineSwitchAppliesAtItsFrameWithRecache() throws {
        let first = Prompt(text: "a red circle", startFrame: 0, generation: 0, mode: .timeline, nextStartFrame: 24)
        let second = Prompt(text: "a green square", startFrame: 24, generation: 1, mode: .timeline)
        let run = try runLoop(seed: 1, frames: 48, prompts: [first], late: [second], lateAfterBlock: 1)
        XCTAssertEqual(run.latents.map(\.promptGeneration), [0, 0, 1, 1])
        XCTAssertEqual(run.updates.map(\.kind), [.append, .append, .recache, .append, .append])
        XCTAssertEqual(run.updates[2].frames.map(\.position), [3, 4, 5])
        XCTAssertEqual(run.updates[2].frames.map(\.promptGeneration), [1, 1, 1])
        XCTAssertEqual(run.pending, [])
        // The same timeline as a graph gives the same frames (the wait changed nothing).
        let eager = try runGraph(seed: 1, frames: 48, timeline: [(0, "a red circle"), (24, "a green square")])
        for (x, y) in zip(run.latents, eager.latents) { XCTAssertEqual(maxAbsDifference(x.latents, y.latents), 0) }
    }

    /// A typed (live) prompt applies to the next block although a timeline entry is still pending
    /// further on, and re-caches the window.
    func testLivePromptAppliesToTheNextBlock() throws {
        let first = Prompt(text: "a red circle", startFrame: 0, generation: 0, mode: .timeline, nextStartFrame: 240)
        let later = Prompt(text: "a yellow circle", startFrame: 240, generation: 1, mode: .timeline)
        let typed = Prompt(text: "a blue square", startFrame: 0, generation: 2, mode: .live)
        let run = try runLoop(seed: 1, frames: 48, prompts: [first, later], late: [typed], lateAfterBlock: 1, expectWait: false)
        XCTAssertEqual(run.pending, ["1 prompt(s) never applied (from frame [240])"], "the timeline entry lies past the last frame")
        XCTAssertEqual(run.latents.map(\.promptGeneration), [0, 0, 0, 2])
        XCTAssertEqual(run.updates.map(\.kind), [.append, .append, .append, .recache, .append])
        XCTAssertEqual(run.updates[3].frames.map(\.position), [3, 4, 5, 6, 7, 8])
    }

    /// The output error int8 K/V storage causes, against f32 storage (reported, and bounded loosely).
    func testInt8CacheChangesTheOutputLittle() throws {
        let f32 = try runGraph(seed: 3, frames: 60, timeline: [(0, "a red circle")])
        let int8 = try runGraph(seed: 3, frames: 60, timeline: [(0, "a red circle")], quantize: "int8")
        let int4 = try runGraph(seed: 3, frames: 60, timeline: [(0, "a red circle")], quantize: "4bit")
        var e8: Float = 0, e4: Float = 0, scale: Float = 0
        for i in 0..<f32.latents.count {
            e8 = max(e8, maxAbsDifference(f32.latents[i].latents, int8.latents[i].latents))
            e4 = max(e4, maxAbsDifference(f32.latents[i].latents, int4.latents[i].latents))
            scale = max(scale, maxAbs(f32.latents[i].latents))
        }
        print("latent error vs f32 K/V over 5 blocks: int8 \(e8), 4-bit \(e4) (latents up to \(scale))")
        XCTAssertGreaterThan(e8, 0)
        XCTAssertLessThan(e8, e4 + 1e-6, "int8 is at least as close as 4-bit")
        XCTAssertLessThan(e8, 0.05 * scale)
    }

    /// Pipelined runs give heavy nodes 1 BLAS thread, --sequential all cores; that only reorders
    /// float sums, so latents agree to rounding (the pixel test in GraphEndToEndTests relies on it).
    func testBLASThreadCountOnlyChangesRounding() throws {
        let before = BLASRuntime.threads
        defer { BLASRuntime.setThreads(before) }
        BLASRuntime.setThreads(1)
        let one = try runLoop(seed: 5, frames: 36, prompts: Self.single)
        BLASRuntime.setThreads(2)
        let two = try runLoop(seed: 5, frames: 36, prompts: Self.single)
        let worst = zip(one.latents, two.latents).map { maxAbsDifference($0.latents, $1.latents) }.max() ?? 0
        print("latents with 1 vs 2 BLAS threads: max abs diff \(worst)")
        XCTAssertLessThan(worst, 1e-3)
    }
}

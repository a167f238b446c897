import XCTest
import FlowKit
import FlowTestSupport
@testable import DenoiserNodes
@testable import CacheNodes

/// Issue 15's stream fixture (reference.py `memory_stream_fixture`, shipped denoiser and descriptor): 8 blocks
/// with a prompt switch and re-cache at block 6, through the absolute cache, the position-free ("infinity")
/// cache, and the position-free cache with the frames LongLive-RAG retrieves joining the attention input.
final class PositionFreeParityTests: XCTestCase {
    struct Stream {
        let model: DiTModel
        let fx: SafetensorsFile
        let textA: TextContext
        let textB: TextContext

        init() throws {
            let (dir, fx) = try ShippedModel.fixture("memory_stream", model: "descriptor")
            model = try DiTModel(folder: try ModelFolder(path: dir))
            self.fx = fx
            textA = model.textContext(try fx.f32("text_a"), generation: 0)
            textB = model.textContext(try fx.f32("text_b"), generation: 1)
        }

        /// Runs the stream; `memory` gives each block's retrieved frames from what the cache evicted so far.
        /// Returns each block's x0 and the K/V frames the cache was sent.
        func run(_ mode: PositionMode, memory: (_ block: Int, _ evicted: [Int: KVFrame]) -> [KVFrame] = { _, _ in [] },
                 slot: Int = 0) throws -> (x0: [Tensor], sent: [KVFrame]) {
            let noises = try fx.f32("noises")
            let switchBlock = Int(try fx.f32("switch_block").scalar)
            let s = model.config.sampler
            var sampler = BlockSampler(model: model, schedule: FlowSchedule(steps: s.steps, shift: s.shift), blockFrames: s.blockFrames)
            sampler.positionMode = mode
            var store = KVStore(policy: CachePolicy(sinkFrames: s.sinkFrames, windowFrames: s.windowFrames))
            var evicted: [Int: KVFrame] = [:]
            var out: [Tensor] = [], sent: [KVFrame] = []
            for b in 0..<noises.shape[0] {
                let text = b < switchBlock ? textA : textB
                var ctx = store.context(block: b)
                try mode.check(ctx)
                if b == switchBlock && !ctx.window.isEmpty {
                    try store.recache(try sampler.recache(window: ctx.window, sink: ctx.sink, text: text), seconds: 0)
                    ctx = store.context(block: b)
                }
                ctx.memory = memory(b, evicted)
                ctx.memorySlot = slot
                let blockNoise = noises.select(dim: 0, b)
                let draws = (0..<blockNoise.shape[0]).map { blockNoise.select(dim: 0, $0).contiguous() }
                let result = sampler.generate(block: b, noises: draws, text: text, visible: AttentionPrefix(ctx))
                sent += result.frames
                for e in try store.append(result.frames, blockFrames: s.blockFrames) { evicted[e.frame.position] = e.frame }
                out.append(result.x0)
            }
            return (out, sent)
        }

        /// float32 budget of block b's chain of calls, with `memory` extra frames of keys.
        func tolerance(block b: Int, memory: Int) -> Tolerance {
            let c = model.config, s = c.sampler
            let keys = (s.sinkFrames + s.windowFrames + s.blockFrames + memory) * c.tokensPerFrame
            let chain = b * (s.steps.count + 1) + s.steps.count
            return .network(reductionLength: Double(chain) * c.reductionLength(keys: keys, textTokens: max(textA.tokens, textB.tokens)))
        }

        func check(_ x0: [Tensor], against key: String, memory: Int) throws -> Double {
            let expected = try fx.f32(key)
            XCTAssertEqual(x0.count, expected.shape[0])
            var worst = 0.0
            for (b, x) in x0.enumerated() {
                let r = assertWithin(x, expected.select(dim: 0, b).contiguous(), tolerance(block: b, memory: memory), "\(key) block \(b)")
                worst = max(worst, r?.worstRatio ?? .infinity)
            }
            return worst
        }
    }

    func testAbsoluteStreamMatchesTheReference() throws {
        let stream = try Stream()
        let (x0, sent) = try stream.run(.absolute)
        XCTAssertTrue(sent.allSatisfy(\.keysRotated))
        print("absolute 8-block stream vs reference: error/bound \(try stream.check(x0, against: "latents_absolute", memory: 0))")
    }

    /// Keys cached before RoPE and rotated by slot: the same frames as absolute until the window first slides
    /// (block 3), different from then on, and what the reference's infinity stream gives.
    func testPositionFreeStreamMatchesTheReference() throws {
        let stream = try Stream()
        let (x0, sent) = try stream.run(.infinity)
        XCTAssertTrue(sent.allSatisfy { !$0.keysRotated }, "a position-free cache keeps keys before RoPE")
        print("infinity 8-block stream vs reference: error/bound \(try stream.check(x0, against: "latents_infinity", memory: 0))")
        let absolute = try stream.fx.f32("latents_absolute")
        XCTAssertLessThan(maxAbsDifference(x0[3], absolute.select(dim: 0, 3).contiguous()), 1e-3, "slots equal positions before the window slides")
        XCTAssertGreaterThan(maxAbsDifference(x0[7], absolute.select(dim: 0, 7).contiguous()), 1e-2, "past the slide the slots differ from the positions")
    }

    /// The reference's retrieval picks (fixture `retrieved`, -1 = none) joined at the fixture's slot.
    func testRetrievedFramesJoinTheAttentionAtTheirSlot() throws {
        let stream = try Stream()
        let retrieved = try stream.fx.f32("retrieved")          // [blocks, k]
        let k = retrieved.shape[1], slot = Int(try stream.fx.f32("slot").scalar)
        let picks = retrieved.toArray().map { Int($0) }
        XCTAssertTrue(picks.contains { $0 >= 0 }, "the fixture retrieves something")
        var used = 0
        let (x0, _) = try stream.run(.infinity, memory: { b, evicted in
            let frames = picks[(b * k)..<((b + 1) * k)].filter { $0 >= 0 }.map { evicted[$0]! }
            used += frames.count
            return frames
        }, slot: slot)
        XCTAssertGreaterThan(used, 0)
        print("infinity + retrieval 8-block stream vs reference: error/bound \(try stream.check(x0, against: "latents_rag", memory: k))")
        let plain = try stream.fx.f32("latents_infinity"), rag = try stream.fx.f32("latents_rag")
        XCTAssertGreaterThan(maxAbsDifference(plain.select(dim: 0, 7).contiguous(), rag.select(dim: 0, 7).contiguous()), 1e-2,
                             "retrieval must change the blocks it feeds, or the check above proves nothing")
    }

    func testAContextOfTheOtherModeIsAClearError() throws {
        let frame = KVFrame(position: 4, keys: [Tensor(shape: [1, 1, 2], repeating: 0)], values: [Tensor(shape: [1, 1, 2], repeating: 0)],
                            latent: nil, promptGeneration: 0, keysRotated: true)
        let ctx = KVContext(sink: [], window: [frame], recacheOnSwitch: true, block: 2)
        XCTAssertThrowsError(try PositionMode.infinity.check(ctx)) { error in
            XCTAssertTrue("\(error)".contains("positions: infinity") && "\(error)".contains("frame 4"), "\(error)")
        }
        XCTAssertNoThrow(try PositionMode.absolute.check(ctx))
    }
}

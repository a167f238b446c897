import XCTest
import FlowKit
import FlowTestSupport
@testable import DenoiserNodes

/// The denoiser split by layers (`layers: [0, k]` + denoiser.layers): the split computes exactly what the whole
/// model computes, so a graph may move layers to another rank without changing a single frame.
final class LayerSplitTests: XCTestCase {
    private var shippedFolder: String { Repository.root.appendingPathComponent("Models/world-tiny").path }

    private func shipped() throws -> DiTModel {
        guard let folder = try? ModelFolder(path: shippedFolder) else { throw XCTSkip("Models/world-tiny is not exported") }
        return try DiTModel(folder: folder)
    }

    private func bits(_ t: Tensor) -> [UInt32] { t.contiguous().toArray().map(\.bitPattern) }

    /// embed, every split of the layers, head: the whole forward bit for bit (velocity and every layer's K/V),
    /// with a cached prefix and unrotated keys (a position-free cache).
    func testLayerRangesComputeTheWholeForward() throws {
        let model = try shipped()
        let c = model.config, s = c.sampler
        let text = model.textContext(Tensor(shape: [7, c.textDim]) { b in for i in b.indices { b[i] = sin(Float(i) * 0.37) } }, generation: 0)
        let sampler = BlockSampler(model: model, schedule: FlowSchedule(steps: s.steps, shift: s.shift), blockFrames: s.blockFrames)
        let noise = SeededNoise(seed: 3)
        let history = sampler.generate(block: 0, noises: (0..<4).map { noise.tensor(shape: sampler.blockShape, block: 0, draw: $0) },
                                       text: text, visible: AttentionPrefix())
        let prefix = sampler.prefix(AttentionPrefix(history: history.frames))!
        let z = noise.tensor(shape: sampler.blockShape, block: 1, draw: 0)
        let t: [Float] = [750, 750, 750], positions = [3, 4, 5]
        let whole = model.forward(z, timesteps: t, positions: positions, text: text, prefix: prefix, keysRotated: false)
        for k in 1..<c.depth {
            let inputs = DiTModel.LayerInputs(positions: positions, rotaryPositions: positions, keysRotated: false)
            let near = model.runLayers(0..<k, model.embed(z, timesteps: t, text: text), inputs: inputs,
                                       text: Array(text.layers[0..<k]), prefix: Array(prefix[0..<k]))
            let far = model.runLayers(k..<c.depth, near.hidden, inputs: inputs, text: Array(text.layers[k...]), prefix: Array(prefix[k...]))
            XCTAssertEqual(bits(model.head(far.hidden)), bits(whole.velocity), "velocity, split at layer \(k)")
            for (l, kv) in (near.kv + far.kv).enumerated() {
                XCTAssertEqual(bits(kv.keys), bits(whole.kv[l].keys), "keys of layer \(l), split at \(k)")
                XCTAssertEqual(bits(kv.values), bits(whole.kv[l].values), "values of layer \(l), split at \(k)")
            }
        }
    }

    /// The block loop split at layer 3 with guidance, the far half a real denoiser.layers node fed through its
    /// port: the same clean latents and cache K/V as BlockSampler.generate, over three blocks.
    func testSplitBlockLoopEqualsTheWholeLoop() throws {
        let model = try shipped()
        let c = model.config, s = c.sampler
        var sampler = BlockSampler(model: model, schedule: FlowSchedule(steps: s.steps, shift: s.shift), blockFrames: s.blockFrames,
                                   guidance: try BlockSampler.Guidance(model: model, scale: s.guidance))
        XCTAssertNotNil(sampler.guidance, "the shipped model guides; this test wants both calls of a step")
        // The split makes guidance's two calls separately (on two ranks at once); the whole loop batches them unless
        // told not to, and a GEMM over twice the rows may round differently. Compare call for call.
        sampler.batchesGuidance = false
        let tail = try NodeHarness(DenoiserLayersNode.self, params: ["model": .string(shippedFolder), "layers": .list([.int(3), .int(c.depth)])])
        final class HarnessLink: LayerSplitFront.Link {
            let tail: NodeHarness<DenoiserLayersNode>
            var sent = 0
            var replies: [LayerReply] = []
            init(_ tail: NodeHarness<DenoiserLayersNode>) { self.tail = tail }
            func send(_ request: LayerRequest) throws { sent += 1; try tail.feed("calls", position: request.block, request) }
            func receive() throws -> LayerReply {
                replies += try tail.readOutputs("replies").map { try $0.value(as: LayerReply.self) }
                return replies.removeFirst()
            }
        }
        let link = HarnessLink(tail)
        let front = LayerSplitFront(sampler: sampler, split: 3)
        let text = model.textContext(Tensor(shape: [5, c.textDim]) { b in for i in b.indices { b[i] = cos(Float(i) * 0.11) } }, generation: 2)
        let noise = SeededNoise(seed: 11)
        var wholeHistory: [KVFrame] = [], splitHistory: [KVFrame] = []
        for block in 0..<3 {
            let noises = (0..<4).map { noise.tensor(shape: sampler.blockShape, block: block, draw: $0) }
            let whole = sampler.generate(block: block, noises: noises, text: text, visible: AttentionPrefix(history: wholeHistory))
            let split = try front.generate(block: block, noises: noises, text: text, visible: AttentionPrefix(history: splitHistory), link: link)
            XCTAssertEqual(bits(split.x0), bits(whole.x0), "x0 of block \(block)")
            XCTAssertEqual(split.frames.map(\.position), whole.frames.map(\.position))
            for (a, b) in zip(split.frames, whole.frames) {
                for l in 0..<c.depth {
                    XCTAssertEqual(bits(a.keys[l]), bits(b.keys[l]), "block \(block) frame \(a.position) keys of layer \(l)")
                    XCTAssertEqual(bits(a.values[l]), bits(b.values[l]), "block \(block) frame \(a.position) values of layer \(l)")
                }
            }
            wholeHistory += whole.frames
            splitHistory += split.frames
        }
        // 4 steps x (conditional + unconditional) + the t = 0 pass, per block.
        XCTAssertEqual(link.sent, 3 * 9)
    }

    func testSplitsThatCannotWorkAreRefusedAtTheirParams() throws {
        let model = ParamValue.string(shippedFolder)
        XCTAssertThrowsError(try NodeHarness(DenoiserBlockNode.self, params: ["model": model, "layers": .list([.int(1), .int(3)])])) {
            XCTAssertEqual("\($0)", "param 'layers': write [0, k]: this node runs the first k layers of each model call, denoiser.layers the rest")
        }
        XCTAssertThrowsError(try NodeHarness(DenoiserBlockNode.self, params: ["model": model, "layers": .list([.int(0), .int(3)]), "candidates": .int(2)])) {
            XCTAssertEqual("\($0)", "param 'layers': a search (candidates or beams) cannot be split by layers; run it whole")
        }
        XCTAssertThrowsError(try NodeHarness(DenoiserBlockNode.self, params: ["model": model, "layers": .list([.int(0), .int(9)])])) {
            XCTAssertEqual("\($0)", "layers [0, 9]: write [0, k] with 1 <= k <= 6 (the model's depth)")
        }
    }

    /// A front that stops at layer 3 and a tail that starts at 4 would skip a layer: the first call says so.
    func testTailThatDoesNotStartWhereTheFrontEndsFails() throws {
        let model = try shipped()
        let tail = try NodeHarness(DenoiserLayersNode.self, params: ["model": .string(shippedFolder), "layers": .list([.int(4), .int(6)])])
        let text = model.textContext(Tensor(shape: [5, model.config.textDim], repeating: 0.1), generation: 0)
        let request = LayerRequest(block: 0, call: 1, hidden: Tensor(zeros: [48, 192]), modulation: Tensor(zeros: [3, 192]), positions: [0, 1, 2],
                                   rotaryPositions: [0, 1, 2], blockCausalFrames: 0, keysRotated: true, textKey: 0,
                                   textKeys: text.layers[3...].map(\.keys), textValues: text.layers[3...].map(\.values),
                                   prefixKeys: [], prefixValues: [], wantsVelocity: true)
        XCTAssertThrowsError(try tail.feed("calls", position: 0, request)) {
            XCTAssertEqual("\($0)", "denoiser.block sent cross-attention K/V for its last 3 layers, but this node runs layers 4..<6: its `layers` must start where denoiser.block's end")
        }
    }

    func testLayersThatDoNotEndAtTheModelsDepthAreRefused() throws {
        XCTAssertThrowsError(try NodeHarness(DenoiserLayersNode.self, params: ["model": .string(shippedFolder), "layers": .list([.int(2), .int(4)])])) {
            XCTAssertTrue("\($0)".contains("this node runs the model's last layers and its output head, so write [k, 6]"), "\($0)")
        }
    }
}

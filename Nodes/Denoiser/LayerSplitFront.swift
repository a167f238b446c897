import Foundation
import FlowKit

/// The first layers of a denoiser split by layers (StreamDiffusionV2's pipeline across devices): runs
/// BlockSampler's block loop itself, each model call's embedding and layers `0..<split` here, and the rest and the
/// output head in `denoiser.layers` (another queue, another MPI rank). With guidance the conditional call's rest
/// runs there while the unconditional call's first layers run here, so both halves work at once. The result is
/// exactly `BlockSampler.generate`'s: the same operations on the same values.
final class LayerSplitFront {
    /// How the calls travel: the node emits a request and waits for its reply.
    protocol Link {
        func send(_ request: LayerRequest) throws
        func receive() throws -> LayerReply
    }

    let sampler: BlockSampler
    /// The first layer `denoiser.layers` runs.
    let split: Int
    private var calls = 0
    /// Time spent waiting for replies: inside the node's calls, so --stats counts it as busy; the log says it.
    private var waitNanos: UInt64 = 0
    /// Prompt keys whose cross-attention K/V the far side already has.
    private var textSent = Set<Int>()

    init(sampler: BlockSampler, split: Int) {
        precondition(split > 0 && split < sampler.model.config.depth, "a split at layer \(split) of \(sampler.model.config.depth)")
        self.sampler = sampler
        self.split = split
    }

    /// For the node's closing log line.
    var summary: String {
        String(format: "layers 0..<%d here, %d calls sent on; %.1f ms waiting for the replies (inside the busy time)",
                   split, calls, Double(waitNanos) / 1e6)
    }

    /// One block from `noises`, as `BlockSampler.generate(block:noises:text:visible:)`.
    func generate(block: Int, noises: [Tensor], text: TextContext, visible: AttentionPrefix, link: Link) throws -> BlockSampler.BlockResult {
        guard !visible.measureAttention else {
            throw NodeError("a denoiser split by layers does not measure attention (cache.manager's compress: attention); run it whole")
        }
        let model = sampler.model, f = sampler.blockFrames, sigmas = sampler.schedule.sigmas
        let positions = (0..<f).map { block * f + $0 }
        let rotary = (0..<f).map { sampler.rotaryPosition(block: block, frame: $0, visible: visible) }
        let prefix = sampler.prefix(visible)
        let here = prefix.map { Array($0[0..<split]) }
        var sendPrefix: [LayerKV]? = prefix.map { Array($0[split...]) } ?? []
        let inputs = DiTModel.LayerInputs(positions: positions, rotaryPositions: rotary)

        /// Runs a call's first layers and sends the rest; returns this side's K/V.
        func call(_ z: Tensor, _ t: [Float], _ text: TextContext, key: Int, velocity: Bool, keysRotated: Bool = true) throws -> [LayerKV] {
            var inputs = inputs
            inputs.keysRotated = keysRotated
            let (hidden, kv) = model.runLayers(0..<split, model.embed(z, timesteps: t, text: text), inputs: inputs,
                                               text: Array(text.layers[0..<split]), prefix: here)
            let far = textSent.insert(key).inserted ? Array(text.layers[split...]) : []
            calls += 1
            try link.send(LayerRequest(block: block, call: calls, hidden: hidden.x, modulation: hidden.modulation, positions: positions,
                                       rotaryPositions: rotary, blockCausalFrames: 0, keysRotated: keysRotated, textKey: key,
                                       textKeys: far.map(\.keys), textValues: far.map(\.values),
                                       prefixKeys: sendPrefix?.map(\.keys), prefixValues: sendPrefix?.map(\.values), wantsVelocity: velocity))
            sendPrefix = nil
            return kv
        }
        func reply() throws -> LayerReply {
            let t0 = DispatchTime.now().uptimeNanoseconds
            let r = try link.receive()
            waitNanos += DispatchTime.now().uptimeNanoseconds - t0
            guard r.block == block else { throw NodeError("denoiser.layers answered for block \(r.block) during block \(block)") }
            return r
        }

        var x = noises[0]
        var x0 = x
        var firstVelocity: Tensor?
        for (i, sigma) in sigmas.enumerated() {
            let t = [Float](repeating: FlowSchedule.timestep(sigma), count: f)
            _ = try call(x, t, text, key: text.generation, velocity: true)
            if let g = sampler.guidance { _ = try call(x, t, g.unconditional, key: -1, velocity: true) }
            guard var v = try reply().velocity else { throw NodeError("denoiser.layers sent no velocity for a denoising call") }
            if let g = sampler.guidance {
                guard let vu = try reply().velocity else { throw NodeError("denoiser.layers sent no velocity for a denoising call") }
                v = BlockSampler.mix(vu, 1 - g.scale, v, g.scale)
            }
            if firstVelocity == nil { firstVelocity = v }
            x0 = BlockSampler.axpy(x, v, -sigma)
            if i + 1 < sigmas.count {
                let next = sigmas[i + 1]
                x = BlockSampler.mix(x0, 1 - next, noises[i + 1], next)
            }
        }
        // The t = 0 pass: both halves' K/V go to the cache.
        let keysRotated = sampler.positionMode.keysRotated
        let nearKV = try call(x0, [Float](repeating: 0, count: f), text, key: text.generation, velocity: false, keysRotated: keysRotated)
        let farReply = try reply()
        guard farReply.keys.count == model.config.depth - split, farReply.values.count == farReply.keys.count else {
            throw NodeError("denoiser.layers sent K/V of \(farReply.keys.count) layers; layers \(split)..<\(model.config.depth) were asked for")
        }
        let kv = nearKV + zip(farReply.keys, farReply.values).map { LayerKV(keys: $0, values: $1) }
        let frames = sampler.split(kv, positions: positions, latents: x0, generation: text.generation)
        return BlockSampler.BlockResult(x0: x0, frames: frames, firstVelocity: firstVelocity!)
    }
}

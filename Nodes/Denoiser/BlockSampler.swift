import FlowKit

/// The LongLive / Self-Forcing block loop on one model (MODEL_FORMAT.md §2.2): few-step denoising
/// of a block against a fixed K/V prefix, x0 prediction and re-noising between steps, then the
/// t = 0 pass whose K/V the cache keeps; and the re-cache pass of a prompt switch.
struct BlockSampler: Sendable {
    let model: DiTModel
    let schedule: FlowSchedule
    let blockFrames: Int
    /// Classifier-free guidance; nil: the conditional prediction alone.
    var guidance: Guidance? = nil

    /// v = v_uncond + scale * (v_cond - v_uncond), the unconditional call seeing the same K/V prefix
    /// with the empty prompt's text states, and for a pooled_text model its sentence vector too
    /// (Training/sample.py does the same).
    struct Guidance: Sendable {
        let scale: Float
        let unconditional: TextContext

        /// The model's guidance at `scale`; nil when scale is 1 (nothing to do).
        init?(model: DiTModel, scale: Double) throws {
            guard scale != 1 else { return nil }
            guard let null = model.weights.nullText else {
                throw NodeError("guidance \(scale) needs the empty prompt's text states ('null_text' in the denoiser weights); re-export the model or set guidance: 1")
            }
            var nullSentence: Tensor?
            if let pooled = model.weights.pooled {
                guard let sentence = pooled.nullSentence else {
                    throw NodeError("guidance \(scale) needs the empty prompt's sentence vector ('null_sentence' in the denoiser weights); re-export the model or set guidance: 1")
                }
                nullSentence = sentence
            }
            self.scale = Float(scale)
            unconditional = try model.textContext(null, sentence: nullSentence, generation: -1)
        }
    }

    /// A block's latents: [F, C, H, W].
    var blockShape: [Int] { [blockFrames, model.config.latentChannels, model.config.latentSize, model.config.latentSize] }

    struct BlockResult {
        /// Clean normalised latents [F, C, H, W].
        let x0: Tensor
        /// The clean pass's K/V of every frame.
        let frames: [KVFrame]
        /// The first call's velocity (parity tests).
        let firstVelocity: Tensor
    }

    /// Per layer, the visible frames' K/V concatenated in the given order; nil when there are none.
    func prefix(_ frames: [KVFrame]) -> [LayerKV]? {
        guard !frames.isEmpty else { return nil }
        return (0..<model.config.depth).map { l in
            LayerKV(keys: Tensor.concatenate(frames.map { $0.keys[l] }, dim: 1),
                    values: Tensor.concatenate(frames.map { $0.values[l] }, dim: 1))
        }
    }

    /// Generates block `block` from `noises` (the initial x, then one draw per re-noising).
    func generate(block: Int, noises: [Tensor], text: TextContext, visible: [KVFrame]) -> BlockResult {
        generate(block: block, candidates: [CandidateInput(noises: noises, visible: visible)], text: text)[0]
    }

    /// One search candidate's inputs: its noise draws and the K/V it continues (its beam's context).
    struct CandidateInput {
        let noises: [Tensor]
        let visible: [KVFrame]
    }

    /// Generates several candidates of block `block` in one batched model call per step: each sees
    /// only its own prefix and frames (`DiTModel.forward(prefixes:)`), so each result equals the
    /// candidate generated alone, while the GEMMs get all candidates' rows at once.
    func generate(block: Int, candidates: [CandidateInput], text: TextContext) -> [BlockResult] {
        let sigmas = schedule.sigmas
        precondition(!candidates.isEmpty && candidates.allSatisfy { $0.noises.count >= sigmas.count },
                     "need \(sigmas.count) noise tensors per candidate")
        let count = candidates.count, f = blockFrames
        let positions = (0..<count).flatMap { _ in (0..<f).map { block * f + $0 } }
        let prefixes = candidates.map { prefix($0.visible) }
        func draws(_ i: Int) -> Tensor { count == 1 ? candidates[0].noises[i] : Tensor.concatenate(candidates.map { $0.noises[i] }, dim: 0) }
        var x = draws(0)
        var x0 = x
        var firstVelocity: Tensor?
        for (i, sigma) in sigmas.enumerated() {
            let t = [Float](repeating: FlowSchedule.timestep(sigma), count: count * f)
            var v = model.forward(x, timesteps: t, positions: positions, text: text, prefixes: prefixes).velocity
            if let g = guidance {
                let vu = model.forward(x, timesteps: t, positions: positions, text: g.unconditional, prefixes: prefixes).velocity
                v = Self.mix(vu, 1 - g.scale, v, g.scale)                 // vu + s * (v - vu)
            }
            if firstVelocity == nil { firstVelocity = v }
            x0 = Self.axpy(x, v, -sigma)                                  // x0 = x - sigma * v
            if i + 1 < sigmas.count {
                let next = sigmas[i + 1]                                 // x = (1 - s') x0 + s' noise
                x = Self.mix(x0, 1 - next, draws(i + 1), next)
            }
        }
        let kv = model.forward(x0, timesteps: [Float](repeating: 0, count: count * f), positions: positions,
                               text: text, prefixes: prefixes).kv
        let frames = split(kv, positions: positions, latents: x0, generation: text.generation)
        return (0..<count).map { c in
            let rows = (c * f)..<((c + 1) * f)
            let part = { (t: Tensor) in count == 1 ? t : t.slice(dim: 0, rows).contiguous() }
            return BlockResult(x0: part(x0), frames: Array(frames[rows]), firstVelocity: part(firstVelocity!))
        }
    }

    /// The t = 0 pass over given clean latents [F, C, H, W] (normalised) of block `block`: the K/V a
    /// cache keeps for them. Speculative decoding writes a drafted block into each model's cache this way.
    func cleanPass(block: Int, x0: Tensor, text: TextContext, visible: [KVFrame]) -> [KVFrame] {
        let positions = (0..<blockFrames).map { block * blockFrames + $0 }
        let kv = model.forward(x0.contiguous(), timesteps: [Float](repeating: 0, count: blockFrames), positions: positions,
                               text: text, prefix: prefix(visible)).kv
        return split(kv, positions: positions, latents: x0.contiguous(), generation: text.generation)
    }

    /// LongLive re-cache: one t = 0 pass over the window's clean latents under the new prompt, with
    /// the sink as prefix and a block-causal mask inside the window. Returns the window's new K/V.
    func recache(window: [KVFrame], sink: [KVFrame], text: TextContext) throws -> [KVFrame] {
        guard !window.isEmpty else { return [] }
        let positions = window.map(\.position)
        for (a, b) in zip(positions, positions.dropFirst()) where b != a + 1 {
            throw NodeError("re-cache needs a contiguous window, got positions \(positions)")
        }
        let latents = try window.map { frame -> Tensor in
            guard let z = frame.latent else { throw NodeError("re-cache: frame \(frame.position) has no clean latent") }
            return z.reshaped([1] + z.shape)
        }
        let z = Tensor.concatenate(latents, dim: 0)
        let kv = model.forward(z, timesteps: [Float](repeating: 0, count: window.count), positions: positions,
                               text: text, prefix: prefix(sink), mask: .blockCausal(blockFrames: blockFrames)).kv
        return split(kv, positions: positions, latents: z, generation: text.generation)
    }

    /// A call's per-layer K/V [heads, F*T, hd] -> one KVFrame per frame.
    private func split(_ kv: [LayerKV], positions: [Int], latents: Tensor, generation: Int) -> [KVFrame] {
        let tpf = model.config.tokensPerFrame
        return positions.enumerated().map { f, p in
            let r = (f * tpf)..<((f + 1) * tpf)
            return KVFrame(position: p,
                           keys: kv.map { $0.keys.slice(dim: 1, r).contiguous() },
                           values: kv.map { $0.values.slice(dim: 1, r).contiguous() },
                           latent: latents.select(dim: 0, f).contiguous(), promptGeneration: generation)
        }
    }

    static func axpy(_ x: Tensor, _ y: Tensor, _ a: Float) -> Tensor { mix(x, 1, y, a) }

    /// a*x + b*y elementwise.
    static func mix(_ x: Tensor, _ a: Float, _ y: Tensor, _ b: Float) -> Tensor {
        Tensor(shape: x.shape) { out in
            x.withUnsafeFloats { xs in y.withUnsafeFloats { ys in for i in 0..<out.count { out[i] = a * xs[i] + b * ys[i] } } }
        }
    }
}

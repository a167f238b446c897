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
    /// Guidance's conditional and unconditional predictions as one batched call (twice the rows per GEMM); false:
    /// two calls, as the layer-split denoiser makes them on two ranks. Each call computes the same, but GEMMs of
    /// other row counts may round differently, so the two settings agree to f32 rounding, not bit for bit.
    var batchesGuidance = true
    /// Absolute RoPE positions (cached keys rotated), or slots in a position-free cache.
    var positionMode: PositionMode = .absolute

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
        /// When the prefix asked for it (`AttentionPrefix.measureAttention`, one candidate): per cached frame's
        /// position, the clean pass's mean attention on each of its tokens, `[layers, heads, tokens]`
        /// (`KVUpdate.attentionMass`). Empty otherwise.
        var attentionMass: [Int: Tensor] = [:]
    }

    /// Per layer, the visible frames' K/V concatenated in [sink | memory | window] order; nil when there are
    /// none. A position-free cache's keys are rotated here, once per block, by each frame's slot.
    func prefix(_ visible: AttentionPrefix) -> [LayerKV]? {
        let frames = visible.frames
        guard !frames.isEmpty else { return nil }
        let c = model.config
        let rotary = positionMode == .infinity
            ? RotaryTable(framePositions: visible.slots, grid: c.grid, axes: c.ropeAxes, theta: c.ropeTheta) : nil
        return (0..<c.depth).map { l in
            let keys = Tensor.concatenate(frames.map { $0.keys[l] }, dim: 1)
            return LayerKV(keys: rotary?.apply(keys) ?? keys, values: Tensor.concatenate(frames.map { $0.values[l] }, dim: 1))
        }
    }

    /// Where RoPE puts frame `i` of block `block`: its absolute position, or in a position-free cache the slot
    /// after the visible history.
    func rotaryPosition(block: Int, frame i: Int, visible: AttentionPrefix) -> Int {
        positionMode == .absolute ? block * blockFrames + i : visible.historyCount + i
    }

    /// Generates block `block` from `noises` (the initial x, then one draw per re-noising).
    func generate(block: Int, noises: [Tensor], text: TextContext, visible: AttentionPrefix) -> BlockResult {
        generate(block: block, candidates: [CandidateInput(noises: noises, visible: visible)], text: text)[0]
    }

    /// One search candidate's inputs: its noise draws and the K/V it continues (its beam's context).
    struct CandidateInput {
        let noises: [Tensor]
        let visible: AttentionPrefix
    }

    /// Generates several candidates of block `block` in one batched model call per step: each sees
    /// only its own prefix and frames (`DiTModel.forward(prefixes:)`), so each result equals the
    /// candidate generated alone, while the GEMMs get all candidates' rows at once.
    func generate(block: Int, candidates: [CandidateInput], text: TextContext, trace: SamplerTrace? = nil) -> [BlockResult] {
        let sigmas = schedule.sigmas
        precondition(!candidates.isEmpty && candidates.allSatisfy { $0.noises.count >= sigmas.count },
                     "need \(sigmas.count) noise tensors per candidate")
        let count = candidates.count, f = blockFrames
        let positions = (0..<count).flatMap { _ in (0..<f).map { block * f + $0 } }
        let rotary = candidates.flatMap { c in (0..<f).map { rotaryPosition(block: block, frame: $0, visible: c.visible) } }
        let prefixes = candidates.map { prefix($0.visible) }
        func draws(_ i: Int) -> Tensor { count == 1 ? candidates[0].noises[i] : Tensor.concatenate(candidates.map { $0.noises[i] }, dim: 0) }
        var x = draws(0)
        var x0 = x
        var firstVelocity: Tensor?
        for (i, sigma) in sigmas.enumerated() {
            let t = [Float](repeating: FlowSchedule.timestep(sigma), count: count * f)
            var v: Tensor
            if let g = guidance, batchesGuidance {
                // Conditional and unconditional predictions in one call: twice the rows for every GEMM.
                let both = model.forward(Tensor.concatenate([x, x], dim: 0), timesteps: t + t, positions: positions + positions,
                                         rotaryPositions: rotary + rotary, texts: Array(repeating: text, count: count)
                                             + Array(repeating: g.unconditional, count: count),
                                         prefixes: prefixes + prefixes).velocity
                let rows = count * f
                v = both.slice(dim: 0, 0..<rows).contiguous()
                let vu = both.slice(dim: 0, rows..<(2 * rows)).contiguous()
                v = Self.mix(vu, 1 - g.scale, v, g.scale)                 // vu + s * (v - vu)
            } else {
                v = model.forward(x, timesteps: t, positions: positions, rotaryPositions: rotary, text: text, prefixes: prefixes).velocity
                if let g = guidance {
                    let vu = model.forward(x, timesteps: t, positions: positions, rotaryPositions: rotary, text: g.unconditional,
                                           prefixes: prefixes).velocity
                    v = Self.mix(vu, 1 - g.scale, v, g.scale)
                }
            }
            if firstVelocity == nil { firstVelocity = v }
            x0 = Self.axpy(x, v, -sigma)                                  // x0 = x - sigma * v
            trace?.record(state: x, prediction: x0)                       // GRPO rollouts (SamplerTrace.swift)
            if i + 1 < sigmas.count {
                let next = sigmas[i + 1]                                 // x = (1 - s') x0 + s' noise
                x = Self.mix(x0, 1 - next, draws(i + 1), next)
            }
        }
        let clean = [Float](repeating: 0, count: count * f)
        let kv: [LayerKV]
        var attentionMass: [Int: Tensor] = [:]
        if count == 1 && candidates[0].visible.measureAttention && prefixes[0] != nil {
            // The cache manager ranks cached tokens by how much this pass's queries attend to them.
            let out = model.forwardMeasuringPrefixAttention(x0, timesteps: clean, positions: positions, rotaryPositions: rotary, text: text,
                                                            prefix: prefixes[0], keysRotated: positionMode.keysRotated)
            kv = out.kv
            attentionMass = Self.massPerFrame(out.prefixAttention, visible: candidates[0].visible)
        } else {
            kv = model.forward(x0, timesteps: clean, positions: positions, rotaryPositions: rotary,
                               text: text, prefixes: prefixes, keysRotated: positionMode.keysRotated).kv
        }
        let frames = split(kv, positions: positions, latents: x0, generation: text.generation)
        return (0..<count).map { c in
            let rows = (c * f)..<((c + 1) * f)
            let part = { (t: Tensor) in count == 1 ? t : t.slice(dim: 0, rows).contiguous() }
            return BlockResult(x0: part(x0), frames: Array(frames[rows]), firstVelocity: part(firstVelocity!), attentionMass: attentionMass)
        }
    }

    /// Per-layer prefix attention `[heads, prefix tokens]` -> per cached frame `[layers, heads, its tokens]`, split in
    /// the prefix's [sink | memory | window] order; retrieved memory frames are skipped (they are not in the cache).
    static func massPerFrame(_ layers: [Tensor], visible: AttentionPrefix) -> [Int: Tensor] {
        guard let heads = layers.first?.shape[0] else { return [:] }
        let prefixTokens = layers[0].shape[1]
        var out: [Int: Tensor] = [:]
        for (position, range) in visible.cachedTokenRanges {
            precondition(range.upperBound <= prefixTokens, "prefix attention covers \(prefixTokens) tokens, frame \(position) ends at \(range.upperBound)")
            out[position] = Tensor(shape: [layers.count, heads, range.count]) { dst in
                for (l, layer) in layers.enumerated() {
                    layer.withUnsafeFloats { src in
                        for h in 0..<heads {
                            for j in 0..<range.count { dst[(l * heads + h) * range.count + j] = src[h * prefixTokens + range.lowerBound + j] }
                        }
                    }
                }
            }
        }
        return out
    }

    /// The t = 0 pass over given clean latents [F, C, H, W] (normalised) of block `block`: the K/V a
    /// cache keeps for them. Speculative decoding writes a drafted block into each model's cache this way.
    func cleanPass(block: Int, x0: Tensor, text: TextContext, visible: AttentionPrefix) -> [KVFrame] {
        let positions = (0..<blockFrames).map { block * blockFrames + $0 }
        let rotary = (0..<blockFrames).map { rotaryPosition(block: block, frame: $0, visible: visible) }
        let kv = model.forward(x0.contiguous(), timesteps: [Float](repeating: 0, count: blockFrames), positions: positions,
                               rotaryPositions: rotary, text: text, prefix: prefix(visible), keysRotated: positionMode.keysRotated).kv
        return split(kv, positions: positions, latents: x0.contiguous(), generation: text.generation)
    }

    /// LongLive re-cache: one t = 0 pass over the window's clean latents under the new prompt, with
    /// the sink as prefix and a block-causal mask inside the window. Returns the window's new K/V. In a
    /// position-free cache the window frames take the slots after the sink; the mask still follows their
    /// absolute positions (blocks).
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
        let rotary = positionMode == .absolute ? positions : Array(sink.count..<(sink.count + window.count))
        let kv = model.forward(z, timesteps: [Float](repeating: 0, count: window.count), positions: positions, rotaryPositions: rotary,
                               text: text, prefix: prefix(AttentionPrefix(sink: sink)), mask: .blockCausal(blockFrames: blockFrames),
                               keysRotated: positionMode.keysRotated).kv
        return split(kv, positions: positions, latents: z, generation: text.generation)
    }

    /// A call's per-layer K/V [heads, F*T, hd] -> one KVFrame per frame.
    func split(_ kv: [LayerKV], positions: [Int], latents: Tensor, generation: Int) -> [KVFrame] {
        let tpf = model.config.tokensPerFrame
        return positions.enumerated().map { f, p in
            let r = (f * tpf)..<((f + 1) * tpf)
            return KVFrame(position: p,
                           keys: kv.map { $0.keys.slice(dim: 1, r).contiguous() },
                           values: kv.map { $0.values.slice(dim: 1, r).contiguous() },
                           latent: latents.select(dim: 0, f).contiguous(), promptGeneration: generation,
                           keysRotated: positionMode.keysRotated)
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

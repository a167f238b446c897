import FlowKit

/// The world-tiny block-causal DiT (Training/MODEL_FORMAT.md §2.1): one forward call over F latent
/// frames that attends to a cached prefix, returning the flow prediction and the frames' own K/V.
final class DiTModel: Sendable {
    let config: DiTConfig
    let weights: DiTWeights

    init(folder: ModelFolder, section: String = "denoiser") throws {
        let s = try folder.section(section)
        config = try DiTConfig(s)
        weights = try DiTWeights(try folder.weights(s, name: section), config)
    }

    /// The prompt's per-layer cross-attention K/V from MiniLM token states `[L, textDim]`, for models
    /// without `pooled_text` (the shipped one).
    func textContext(_ tokens: Tensor, generation: Int) -> TextContext {
        precondition(!config.pooledText, "this denoiser (pooled_text) also needs the prompt's sentence vector: textContext(_:sentence:generation:)")
        return crossAttentionContext(tokens, generation: generation)
    }

    /// A prompt's whole conditioning: the cross-attention K/V of its token states `[L, textDim]` and, for a
    /// `pooled_text` model, the embedding of its sentence vector `[textDim]` (`TextEmbedding.sentence`),
    /// which other models ignore.
    func textContext(_ tokens: Tensor, sentence: Tensor?, generation: Int) throws -> TextContext {
        guard tokens.rank == 2, tokens.shape[1] == config.textDim else {
            throw NodeError("the prompt's token states have shape \(tokens.shape); this denoiser needs [L, \(config.textDim)]")
        }
        var context = crossAttentionContext(tokens, generation: generation)
        if let pooled = weights.pooled {
            guard let sentence else {
                throw NodeError("this denoiser (pooled_text) needs the prompt's sentence vector next to its token states")
            }
            context.pooled = try pooled.embedding(sentence, textDim: config.textDim)
        }
        return context
    }

    private func crossAttentionContext(_ tokens: Tensor, generation: Int) -> TextContext {
        precondition(tokens.rank == 2 && tokens.shape[1] == config.textDim, "text states must be [L, \(config.textDim)], got \(tokens.shape)")
        let w = weights
        let ctx = w.txtFC2(Kernels.gelu(w.txtFC1(tokens.contiguous()), approximation: .tanh))
        let layers = w.layers.map { l in
            LayerKV(keys: TokenOps.splitHeads(Kernels.rmsNorm(l.caK(ctx), weight: l.caNormK, epsilon: config.normEps), heads: config.heads),
                    values: TokenOps.splitHeads(l.caV(ctx), heads: config.heads))
        }
        return TextContext(layers: layers, generation: generation)
    }

    /// How the current frames' queries see keys beyond the prefix.
    enum QueryMask {
        /// Every prefix key and every key of the call (a normal denoising call).
        case none
        /// Re-cache: every prefix (sink) key, and the call's keys of the same or an earlier block.
        case blockCausal(blockFrames: Int)
    }

    /// z [F, C, H, W] normalised latents, `timesteps` [F] in [0, 1000], absolute frame positions.
    /// `prefix` per layer (post-RoPE) or nil. Returns v [F, C, H, W] and the frames' K/V per layer.
    func forward(_ z: Tensor, timesteps: [Float], positions: [Int], text: TextContext,
                 prefix: [LayerKV]?, mask: QueryMask = .none) -> (velocity: Tensor, kv: [LayerKV]) {
        forward(z, timesteps: timesteps, positions: positions, text: text, prefixes: [prefix], mask: mask)
    }

    /// Several independent groups in one call (search candidates): z holds G = `prefixes.count` groups
    /// of F/G frames; group g attends to `prefixes[g]` and its own frames only, as if called alone.
    /// The linear layers see all groups' tokens at once, which is where batching pays on a CPU; only
    /// attention runs per group.
    func forward(_ z: Tensor, timesteps: [Float], positions: [Int], text: TextContext,
                 prefixes: [[LayerKV]?], mask: QueryMask = .none) -> (velocity: Tensor, kv: [LayerKV]) {
        let c = config, w = weights
        let frames = z.shape[0], tpf = c.tokensPerFrame
        let groups = prefixes.count
        precondition(groups >= 1 && frames % groups == 0, "forward: \(frames) frames do not split into \(groups) groups")
        precondition(timesteps.count == frames && positions.count == frames, "forward: one timestep and position per frame")
        precondition(c.pooledText == (text.pooled != nil), "forward: a pooled_text model needs the prompt's sentence embedding, others none")
        let eps = c.normEps
        var x = w.patchIn(TokenOps.patchify(z.contiguous(), patch: c.patch))                   // [N, D]
        var e = w.tFC2(Kernels.silu(w.tFC1(TimestepEmbedding.features(timesteps, dim: c.freqDim))))         // [F, D]
        if let pooled = text.pooled { e = TokenOps.addToEveryRow(e, pooled) }
        let se = Kernels.silu(e)                                                                 // [F, D]
        let rotary = RotaryTable(framePositions: positions, grid: c.grid, axes: c.ropeAxes, theta: c.ropeTheta)
        let tokenBase = positions[0] * tpf
        let groupTokens = frames / groups * tpf
        var kvs: [LayerKV] = []
        kvs.reserveCapacity(c.depth)
        for (i, l) in w.layers.enumerated() {
            let mod = l.ada(se)                                                                  // [F, 6D]
            var h = TokenOps.modulate(x, mod: mod, shiftAt: 0, scaleAt: 1, tokensPerFrame: tpf, epsilon: eps)
            let q = rotary.apply(TokenOps.splitHeads(Kernels.rmsNorm(l.q(h), weight: l.normQ, epsilon: eps), heads: c.heads))
            let k = rotary.apply(TokenOps.splitHeads(Kernels.rmsNorm(l.k(h), weight: l.normK, epsilon: eps), heads: c.heads))
            let v = TokenOps.splitHeads(l.v(h), heads: c.heads)
            kvs.append(LayerKV(keys: k, values: v))
            let attnMask: AttentionMask
            switch mask {
            case .none: attnMask = .none
            case .blockCausal(let blockFrames): attnMask = .blockCausal(blockSize: blockFrames * tpf)
            }
            let parts = (0..<groups).map { g -> Tensor in
                let own = groups == 1 ? nil : (g * groupTokens)..<((g + 1) * groupTokens)
                var segments: [KVSegment] = []
                if let p = prefixes[g]?[i], p.keys.shape[1] > 0 {
                    // Prefix positions only matter under a mask; the sink sits at the stream's start.
                    segments.append(KVSegment(keys: p.keys, values: p.values, firstPosition: 0))
                }
                segments.append(KVSegment(keys: own.map { k.slice(dim: 1, $0) } ?? k,
                                          values: own.map { v.slice(dim: 1, $0) } ?? v, firstPosition: tokenBase))
                return Kernels.attention(query: own.map { q.slice(dim: 1, $0) } ?? q, segments: segments,
                                         queryFirstPosition: tokenBase, mask: attnMask)
            }
            let a = groups == 1 ? parts[0] : Tensor.concatenate(parts, dim: 1)
            x = TokenOps.addGated(x, l.o(TokenOps.mergeHeads(a)), mod: mod, gateAt: 2, tokensPerFrame: tpf)
            h = Kernels.layerNorm(x, weight: l.normCAWeight, bias: l.normCABias, epsilon: eps)
            let cq = TokenOps.splitHeads(Kernels.rmsNorm(l.caQ(h), weight: l.caNormQ, epsilon: eps), heads: c.heads)
            let ctx = text.layers[i]
            let ca = Kernels.attention(query: cq, segments: [KVSegment(keys: ctx.keys, values: ctx.values, firstPosition: 0)])
            x = TokenOps.addGated(x, l.caO(TokenOps.mergeHeads(ca)), mod: nil, gateAt: 0, tokensPerFrame: tpf)
            h = TokenOps.modulate(x, mod: mod, shiftAt: 3, scaleAt: 4, tokensPerFrame: tpf, epsilon: eps)
            x = TokenOps.addGated(x, l.fc2(Kernels.gelu(l.fc1(h), approximation: .tanh)), mod: mod, gateAt: 5, tokensPerFrame: tpf)
        }
        let fm = w.finalAda(se)                                                                  // [F, 2D]
        let out = w.patchOut(TokenOps.modulate(x, mod: fm, shiftAt: 0, scaleAt: 1, tokensPerFrame: tpf, epsilon: eps))
        let velocity = TokenOps.unpatchify(out, frames: frames, channels: c.latentChannels, size: c.latentSize, patch: c.patch)
        return (velocity, kvs)
    }
}

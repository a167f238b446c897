import Foundation
import FlowKit

/// The world-tiny block-causal DiT (Training/MODEL_FORMAT.md §2.1): one forward call over F latent
/// frames that attends to a cached prefix, returning the flow prediction and the frames' own K/V.
final class DiTModel: Sendable {
    let config: DiTConfig
    let weights: DiTWeights

    /// The precision its linear layers run at (`Precision.effective` of what was asked).
    let precision: Precision

    init(folder: ModelFolder, section: String = "denoiser", precision: Precision = .f32) throws {
        let s = try folder.section(section)
        config = try DiTConfig(s)
        self.precision = precision.effective
        weights = try DiTWeights(try folder.weights(s, name: section), config, precision: self.precision)
    }

    /// The prompt's conditioning from MiniLM token states `[L, textDim]` alone; a `pooled_text` model (world-tiny v2)
    /// gets the sentence vector pooled from those states, as the text encoder pools it.
    func textContext(_ tokens: Tensor, generation: Int) -> TextContext {
        guard config.pooledText else { return crossAttentionContext(tokens, generation: generation) }
        // The sentence vector the text encoder would send with these states (TextEmbedding.sentence).
        do {
            return try textContext(tokens, sentence: SentencePooling.meanNormalized(tokens), generation: generation)
        } catch {
            preconditionFailure("\(error)")
        }
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
    /// `rotaryPositions` (default: `positions`) are where RoPE puts the frames, slots in a position-free
    /// cache; `positions` then only place the block-causal mask. `keysRotated: false` returns the keys
    /// before RoPE, as a position-free cache keeps them (attention uses them rotated either way).
    func forward(_ z: Tensor, timesteps: [Float], positions: [Int], rotaryPositions: [Int]? = nil, text: TextContext,
                 prefix: [LayerKV]?, mask: QueryMask = .none, keysRotated: Bool = true) -> (velocity: Tensor, kv: [LayerKV]) {
        forward(z, timesteps: timesteps, positions: positions, rotaryPositions: rotaryPositions, text: text,
                prefixes: [prefix], mask: mask, keysRotated: keysRotated)
    }

    /// Several independent groups in one call (search candidates): z holds G = `prefixes.count` groups
    /// of F/G frames; group g attends to `prefixes[g]` and its own frames only, as if called alone.
    /// The linear layers see all groups' tokens at once, which is where batching pays on a CPU; only
    /// attention runs per group.
    func forward(_ z: Tensor, timesteps: [Float], positions: [Int], rotaryPositions: [Int]? = nil, text: TextContext,
                 prefixes: [[LayerKV]?], mask: QueryMask = .none, keysRotated: Bool = true) -> (velocity: Tensor, kv: [LayerKV]) {
        let out = run(z, timesteps: timesteps, positions: positions, rotaryPositions: rotaryPositions, texts: [text],
                      prefixes: prefixes, mask: mask, keysRotated: keysRotated, measure: false)
        return (out.velocity, out.kv)
    }

    /// Groups that differ in their prompt too: group g sees `texts[g]` (classifier-free guidance batches
    /// the conditional and unconditional passes this way: the same frames and prefix twice, two prompts).
    /// Each group's result equals its own call.
    func forward(_ z: Tensor, timesteps: [Float], positions: [Int], rotaryPositions: [Int]? = nil, texts: [TextContext],
                 prefixes: [[LayerKV]?]) -> (velocity: Tensor, kv: [LayerKV]) {
        precondition(texts.count == prefixes.count, "forward: one prompt per group")
        let out = run(z, timesteps: timesteps, positions: positions, rotaryPositions: rotaryPositions, texts: texts,
                      prefixes: prefixes, mask: .none, keysRotated: true, measure: false)
        return (out.velocity, out.kv)
    }

    /// `forward` over one group (no mask) that also returns, per layer, the attention mass its queries put on the
    /// prefix tokens: `[heads, prefix tokens]`, softmax(q·kᵀ·scale) over [prefix keys | own keys] averaged over the
    /// call's queries, prefix part kept (so each head's row sums to the mean prefix share of attention, <= 1).
    /// Without a prefix every layer's tensor is `[heads, 0]`. Velocity and K/V are exactly `forward`'s.
    func forwardMeasuringPrefixAttention(_ z: Tensor, timesteps: [Float], positions: [Int], rotaryPositions: [Int]? = nil,
                                         text: TextContext, prefix: [LayerKV]?, keysRotated: Bool = true)
        -> (velocity: Tensor, kv: [LayerKV], prefixAttention: [Tensor]) {
        let out = run(z, timesteps: timesteps, positions: positions, rotaryPositions: rotaryPositions, texts: [text],
                      prefixes: [prefix], mask: .none, keysRotated: keysRotated, measure: true)
        return (out.velocity, out.kv, out.prefixAttention)
    }

    /// `texts`: one prompt for every group, or one per group.
    private func run(_ z: Tensor, timesteps: [Float], positions: [Int], rotaryPositions: [Int]?, texts: [TextContext],
                     prefixes: [[LayerKV]?], mask: QueryMask, keysRotated: Bool, measure: Bool)
        -> (velocity: Tensor, kv: [LayerKV], prefixAttention: [Tensor]) {
        let c = config, w = weights
        let frames = z.shape[0], tpf = c.tokensPerFrame
        let groups = prefixes.count
        precondition(groups >= 1 && frames % groups == 0, "forward: \(frames) frames do not split into \(groups) groups")
        precondition(timesteps.count == frames && positions.count == frames && (rotaryPositions?.count ?? frames) == frames,
                     "forward: one timestep and position per frame")
        precondition(texts.count == 1 || texts.count == groups, "forward: \(texts.count) prompts for \(groups) groups")
        precondition(texts.allSatisfy { c.pooledText == ($0.pooled != nil) },
                     "forward: a pooled_text model needs the prompt's sentence embedding, others none")
        let eps = c.normEps
        let sharedText = texts.count == 1
        var x = w.patchIn(TokenOps.patchify(z.contiguous(), patch: c.patch))                   // [N, D]
        var e = w.tFC2(Kernels.silu(w.tFC1(TimestepEmbedding.features(timesteps, dim: c.freqDim))))         // [F, D]
        if sharedText {
            if let pooled = texts[0].pooled { e = TokenOps.addToEveryRow(e, pooled) }
        } else if texts[0].pooled != nil {
            let groupFrames = frames / groups
            e = Tensor.concatenate((0..<groups).map { g in
                TokenOps.addToEveryRow(e.slice(dim: 0, (g * groupFrames)..<((g + 1) * groupFrames)).contiguous(), texts[g].pooled!)
            }, dim: 0)
        }
        let se = Kernels.silu(e)                                                                 // [F, D]
        let rotary = RotaryTable(framePositions: rotaryPositions ?? positions, grid: c.grid, axes: c.ropeAxes, theta: c.ropeTheta)
        let tokenBase = positions[0] * tpf
        let groupTokens = frames / groups * tpf
        var kvs: [LayerKV] = []
        kvs.reserveCapacity(c.depth)
        precondition(!measure || groups == 1, "forward: prefix attention is measured for one group only")
        var prefixAttention: [Tensor] = []
        for (i, l) in w.layers.enumerated() {
            let mod = l.ada(se)                                                                  // [F, 6D]
            var h = TokenOps.modulate(x, mod: mod, shiftAt: 0, scaleAt: 1, tokensPerFrame: tpf, epsilon: eps)
            let q = rotary.apply(TokenOps.splitHeads(Kernels.rmsNorm(l.q(h), weight: l.normQ, epsilon: eps), heads: c.heads))
            let unrotated = TokenOps.splitHeads(Kernels.rmsNorm(l.k(h), weight: l.normK, epsilon: eps), heads: c.heads)
            let k = rotary.apply(unrotated)
            let v = TokenOps.splitHeads(l.v(h), heads: c.heads)
            kvs.append(LayerKV(keys: keysRotated ? k : unrotated, values: v))
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
            if measure {
                let p = prefixes[0]?[i]
                prefixAttention.append(p.map { Self.prefixAttentionMass(query: q, prefixKeys: $0.keys, ownKeys: k) }
                                       ?? Tensor(zeros: [c.heads, 0]))
            }
            let a = groups == 1 ? parts[0] : Tensor.concatenate(parts, dim: 1)
            TokenOps.addGated(into: &x, l.o(TokenOps.mergeHeads(a)), mod: mod, gateAt: 2, tokensPerFrame: tpf)
            h = Kernels.layerNorm(x, weight: l.normCAWeight, bias: l.normCABias, epsilon: eps)
            let cq = TokenOps.splitHeads(Kernels.rmsNorm(l.caQ(h), weight: l.caNormQ, epsilon: eps), heads: c.heads)
            let ca: Tensor
            if sharedText {
                let ctx = texts[0].layers[i]
                ca = Kernels.attention(query: cq, segments: [KVSegment(keys: ctx.keys, values: ctx.values, firstPosition: 0)])
            } else {
                ca = Tensor.concatenate((0..<groups).map { g in
                    let ctx = texts[g].layers[i]
                    return Kernels.attention(query: cq.slice(dim: 1, (g * groupTokens)..<((g + 1) * groupTokens)),
                                             segments: [KVSegment(keys: ctx.keys, values: ctx.values, firstPosition: 0)])
                }, dim: 1)
            }
            TokenOps.addGated(into: &x, l.caO(TokenOps.mergeHeads(ca)), mod: nil, gateAt: 0, tokensPerFrame: tpf)
            h = TokenOps.modulate(x, mod: mod, shiftAt: 3, scaleAt: 4, tokensPerFrame: tpf, epsilon: eps)
            TokenOps.addGated(into: &x, l.fc2(Kernels.gelu(l.fc1(h), approximation: .tanh)), mod: mod, gateAt: 5, tokensPerFrame: tpf)
        }
        let fm = w.finalAda(se)                                                                  // [F, 2D]
        let out = w.patchOut(TokenOps.modulate(x, mod: fm, shiftAt: 0, scaleAt: 1, tokensPerFrame: tpf, epsilon: eps))
        let velocity = TokenOps.unpatchify(out, frames: frames, channels: c.latentChannels, size: c.latentSize, patch: c.patch)
        return (velocity, kvs, prefixAttention)
    }

    /// softmax(q·kᵀ / sqrt(headDim)) over [prefix | own] keys, per head, averaged over the queries; the prefix
    /// columns: [heads, prefix tokens]. One GEMM per head (BLAS), rows normalised in f32, sums in f64.
    static func prefixAttentionMass(query q: Tensor, prefixKeys: Tensor, ownKeys: Tensor) -> Tensor {
        let heads = q.shape[0], n = q.shape[1], d = q.shape[2], p = prefixKeys.shape[1]
        precondition(prefixKeys.shape[0] == heads && ownKeys.shape[0] == heads, "prefix attention: heads differ")
        guard p > 0, n > 0 else { return Tensor(zeros: [heads, p]) }
        let keys = Tensor.concatenate([prefixKeys.contiguous(), ownKeys.contiguous()], dim: 1)      // [H, P + N', D]
        let total = keys.shape[1]
        let scores = Kernels.matmul(q, keys.transposed())                                          // [H, N, P + N']
        let scale = 1 / Float(d).squareRoot()
        return Tensor(shape: [heads, p]) { out in
            scores.withUnsafeFloats { s in
                var row = [Float](repeating: 0, count: total)
                var sums = [Double](repeating: 0, count: p)
                for h in 0..<heads {
                    for j in 0..<p { sums[j] = 0 }
                    for r in 0..<n {
                        let base = (h * n + r) * total
                        var top = -Float.infinity
                        for j in 0..<total { row[j] = s[base + j] * scale; top = max(top, row[j]) }
                        var denominator: Double = 0
                        for j in 0..<total { row[j] = exp(row[j] - top); denominator += Double(row[j]) }
                        for j in 0..<p { sums[j] += Double(row[j]) / denominator }
                    }
                    for j in 0..<p { out[h * p + j] = Float(sums[j] / Double(n)) }
                }
            }
        }
    }
}

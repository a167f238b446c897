import FlowKit

/// The DiT's forward call in three parts, so a range of its layers can run elsewhere (`denoiser.layers`, another
/// MPI rank): the input embedding, any range of transformer layers, the output head. Run in order over all
/// layers they compute exactly what `forward` computes (the same operations in the same order; DenoiserTests
/// checks bit equality), for one group of frames (no search batch).
extension DiTModel {
    /// What the layers run over: the hidden state `[tokens, width]` and silu(timestep embedding) `[frames, width]`.
    struct Hidden {
        var x: Tensor
        var modulation: Tensor
    }

    /// Everything a call's layers need besides the hidden state.
    struct LayerInputs {
        var positions: [Int]
        var rotaryPositions: [Int]
        var mask: QueryMask = .none
        var keysRotated = true
    }

    func embed(_ z: Tensor, timesteps: [Float], text: TextContext) -> Hidden {
        let c = config, w = weights
        precondition(c.pooledText == (text.pooled != nil), "embed: a pooled_text model needs the prompt's sentence embedding, others none")
        let x = w.patchIn(TokenOps.patchify(z.contiguous(), patch: c.patch))
        var e = w.tFC2(Kernels.silu(w.tFC1(TimestepEmbedding.features(timesteps, dim: c.freqDim))))
        if let pooled = text.pooled { e = TokenOps.addToEveryRow(e, pooled) }
        return Hidden(x: x, modulation: Kernels.silu(e))
    }

    /// Layers `range` over `hidden`. `text[i]` and `prefix[i]` are layer `range.lowerBound + i`'s cross-attention
    /// K/V and cached prefix (nil: no prefix). Returns the new hidden state and each layer's K/V.
    func runLayers(_ range: Range<Int>, _ hidden: Hidden, inputs: LayerInputs, text: [LayerKV], prefix: [LayerKV]?) -> (hidden: Hidden, kv: [LayerKV]) {
        let c = config, w = weights, eps = c.normEps, tpf = c.tokensPerFrame
        precondition(range.lowerBound >= 0 && range.upperBound <= c.depth && text.count == range.count && (prefix?.count ?? range.count) == range.count,
                     "runLayers: \(range) of \(c.depth) layers with \(text.count) text and \(prefix?.count ?? -1) prefix entries")
        let rotary = RotaryTable(framePositions: inputs.rotaryPositions, grid: c.grid, axes: c.ropeAxes, theta: c.ropeTheta)
        let tokenBase = inputs.positions[0] * tpf
        let attnMask: AttentionMask
        switch inputs.mask {
        case .none: attnMask = .none
        case .blockCausal(let blockFrames): attnMask = .blockCausal(blockSize: blockFrames * tpf)
        }
        var x = hidden.x
        let se = hidden.modulation
        var kvs: [LayerKV] = []
        for (j, i) in range.enumerated() {
            let l = w.layers[i]
            let mod = l.ada(se)
            var h = TokenOps.modulate(x, mod: mod, shiftAt: 0, scaleAt: 1, tokensPerFrame: tpf, epsilon: eps)
            let q = rotary.apply(TokenOps.splitHeads(Kernels.rmsNorm(l.q(h), weight: l.normQ, epsilon: eps), heads: c.heads))
            let unrotated = TokenOps.splitHeads(Kernels.rmsNorm(l.k(h), weight: l.normK, epsilon: eps), heads: c.heads)
            let k = rotary.apply(unrotated)
            let v = TokenOps.splitHeads(l.v(h), heads: c.heads)
            kvs.append(LayerKV(keys: inputs.keysRotated ? k : unrotated, values: v))
            var segments: [KVSegment] = []
            if let p = prefix?[j], p.keys.shape[1] > 0 {
                segments.append(KVSegment(keys: p.keys, values: p.values, firstPosition: 0))
            }
            segments.append(KVSegment(keys: k, values: v, firstPosition: tokenBase))
            let a = Kernels.attention(query: q, segments: segments, queryFirstPosition: tokenBase, mask: attnMask)
            TokenOps.addGated(into: &x, l.o(TokenOps.mergeHeads(a)), mod: mod, gateAt: 2, tokensPerFrame: tpf)
            h = Kernels.layerNorm(x, weight: l.normCAWeight, bias: l.normCABias, epsilon: eps)
            let cq = TokenOps.splitHeads(Kernels.rmsNorm(l.caQ(h), weight: l.caNormQ, epsilon: eps), heads: c.heads)
            let ca = Kernels.attention(query: cq, segments: [KVSegment(keys: text[j].keys, values: text[j].values, firstPosition: 0)])
            TokenOps.addGated(into: &x, l.caO(TokenOps.mergeHeads(ca)), mod: nil, gateAt: 0, tokensPerFrame: tpf)
            h = TokenOps.modulate(x, mod: mod, shiftAt: 3, scaleAt: 4, tokensPerFrame: tpf, epsilon: eps)
            TokenOps.addGated(into: &x, l.fc2(Kernels.gelu(l.fc1(h), approximation: .tanh)), mod: mod, gateAt: 5, tokensPerFrame: tpf)
        }
        return (Hidden(x: x, modulation: se), kvs)
    }

    /// The output head: velocity `[frames, C, H, W]`.
    func head(_ hidden: Hidden) -> Tensor {
        let c = config, w = weights
        let frames = hidden.modulation.shape[0]
        let fm = w.finalAda(hidden.modulation)
        let out = w.patchOut(TokenOps.modulate(hidden.x, mod: fm, shiftAt: 0, scaleAt: 1, tokensPerFrame: c.tokensPerFrame, epsilon: c.normEps))
        return TokenOps.unpatchify(out, frames: frames, channels: c.latentChannels, size: c.latentSize, patch: c.patch)
    }
}

import FlowKit

/// The BERT forward pass over a batch of unpadded sequences.
///
/// Tokens of all sequences are packed into one [N, H] matrix: every linear layer, norm and GELU
/// runs once over the whole batch (one big GEMM instead of one per prompt), and only attention
/// runs per sequence, so nothing is spent on padding and no attention mask is needed.
struct BertEncoder: Sendable {
    let config: MiniLMConfig
    let weights: MiniLMWeights

    /// Final hidden states [ΣT, H], sequences one after another in the order given.
    func hiddenStates(_ sequences: [[Int32]]) -> Tensor {
        let lengths = sequences.map(\.count)
        var x = embed(sequences)
        for layer in weights.layers {
            x = encode(x, lengths: lengths, layer)
        }
        return x
    }

    /// Word + position + token-type (segment 0) embeddings, then LayerNorm.
    private func embed(_ sequences: [[Int32]]) -> Tensor {
        let h = config.hiddenSize
        let total = sequences.reduce(0) { $0 + $1.count }
        let summed = Tensor(shape: [total, h]) { out in
            weights.wordEmbeddings.withUnsafeFloats { words in
                weights.positionEmbeddings.withUnsafeFloats { positions in
                    weights.tokenTypeEmbeddings.withUnsafeFloats { types in
                        var row = 0
                        for ids in sequences {
                            for (position, id) in ids.enumerated() {
                                let o = out.baseAddress! + row * h
                                let w = words.baseAddress! + Int(id) * h, p = positions.baseAddress! + position * h
                                for j in 0..<h { o[j] = w[j] + p[j] + types[j] }
                                row += 1
                            }
                        }
                    }
                }
            }
        }
        return norm(summed, weights.embeddingNorm)
    }

    private func encode(_ x: Tensor, lengths: [Int], _ layer: EncoderLayerWeights) -> Tensor {
        let context = selfAttention(layer.queryKeyValue(x), lengths: lengths)
        let attended = norm(Kernels.add(x, layer.attentionOutput(context)), layer.attentionNorm)
        let hidden = Kernels.gelu(layer.intermediate(attended), approximation: .erf)
        return norm(Kernels.add(attended, layer.output(hidden)), layer.outputNorm)
    }

    /// Multi-head attention of each sequence over itself; qkv is [ΣT, 3·H], the result [ΣT, H].
    private func selfAttention(_ qkv: Tensor, lengths: [Int]) -> Tensor {
        let h = config.hiddenSize, heads = config.heads, d = config.headSize
        return Tensor(shape: [qkv.shape[0], h]) { out in
            var first = 0
            for length in lengths {
                // Views, no copies: [T, 3, heads, d] → q, k, v as [heads, T, d].
                let parts = qkv.slice(dim: 0, first..<(first + length)).reshaped([length, 3, heads, d])
                let q = parts.select(dim: 1, 0).permuted([1, 0, 2])
                let k = parts.select(dim: 1, 1).permuted([1, 0, 2])
                let v = parts.select(dim: 1, 2).permuted([1, 0, 2])
                let attended = Kernels.attention(query: q, segments: [KVSegment(keys: k, values: v, firstPosition: 0)])
                // [heads, T, d] back to the packed rows [T, heads·d].
                attended.withUnsafeFloats { a in
                    for head in 0..<heads {
                        for t in 0..<length {
                            let src = a.baseAddress! + (head * length + t) * d
                            let dst = out.baseAddress! + (first + t) * h + head * d
                            dst.update(from: src, count: d)
                        }
                    }
                }
                first += length
            }
        }
    }

    private func norm(_ x: Tensor, _ w: NormWeights) -> Tensor {
        Kernels.layerNorm(x, weight: w.weight, bias: w.bias, epsilon: config.layerNormEpsilon)
    }
}

import FlowKit
import FlowTestSupport
@testable import TextEncoderNodes

/// The rounding budget of the MiniLM forward pass (BertEncoder.swift), for `Tolerance.network`.
extension MiniLMConfig {
    /// K along the path to one token state: the embedding LayerNorm, then per layer the q/k/v
    /// projection (H + bias), the scores (d), softmax's sum and the weighted values (T each), the
    /// output projection (H + bias), the intermediate (H + bias) and output (I + bias) of the
    /// feed-forward block, and two LayerNorms (mean and variance over H).
    func reductionLength(tokens: Int) -> Double {
        let h = hiddenSize, perLayer = (h + 1) * 3 + headSize + 2 * tokens + (intermediateSize + 1) + 2 * h
        return Double(h + layers * perLayer)
    }
}

extension Tolerance {
    /// Token states against sentence-transformers in float32 on torch (two float32 evaluations).
    static func tokenStates(_ config: MiniLMConfig, tokens: Int) -> Tolerance {
        .network(reductionLength: config.reductionLength(tokens: tokens), evaluations: 2)
    }

    /// The sentence embedding, mean(states)/|mean(states)|. A state error δ moves it by δ/|mean|,
    /// so M_j is the states' magnitude in the model, mean_t(|s_tj|) + RMS(s), over |mean|; the pooling
    /// adds T (mean) + H (norm) roundings. `states` are this forward pass's, all rows.
    static func sentence(_ config: MiniLMConfig, states: Tensor) -> Tolerance {
        let rows = states.shape[0], width = states.shape[1], s = states.toArray()
        var meanAbsolute = [Double](repeating: 0, count: width), mean = [Double](repeating: 0, count: width)
        for r in 0..<rows {
            for j in 0..<width {
                meanAbsolute[j] += Double(abs(s[r * width + j])) / Double(rows)
                mean[j] += Double(s[r * width + j]) / Double(rows)
            }
        }
        let rms = (s.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(s.count)).squareRoot()
        let norm = mean.reduce(0.0) { $0 + $1 * $1 }.squareRoot()
        let magnitudes = Tensor(shape: [width], values: meanAbsolute.map { Float(($0 + rms) / norm) })
        let k = config.reductionLength(tokens: rows) + Double(rows + width)
        return Tolerance(coefficient: networkCoefficient(reductionLength: k, evaluations: 2), magnitude: .perElement(magnitudes))
    }
}

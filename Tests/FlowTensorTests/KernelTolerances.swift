import FlowKit
import FlowTestSupport

/// The tolerances of the kernel checks, each a `Tolerance` (FlowTestSupport) with this target's numbers.
extension Tolerance {
    /// Elementwise kernels (activations, norms, RoPE, resampling) against float64. They involve no
    /// OpenBLAS; their exp/erf/tanh approximations (CKernels) hold 1e-5 relative, and norms reduce at
    /// most 40 values (an error of ~u·√40 of the row's scale): 1e-6 of max|expected| covers results
    /// near zero.
    static let golden = Tolerance.elementwise(relative: 1e-5, absolute: 1e-6)

    /// y = x·Wᵀ (+ b): K = in (+1 for the bias the GEMM adds onto), M = |x|·|W|ᵀ (+ |b|).
    static func linear(_ x: Tensor, weight: Tensor, bias: Tensor?, evaluations: Int = 1) -> Tolerance {
        let magnitudes = Linear(weight: weight.absolute, bias: bias?.absolute)(x.absolute)
        return .reduction(length: weight.shape[1] + (bias == nil ? 0 : 1), magnitudes: magnitudes, evaluations: evaluations)
    }

    /// softmax(q·kᵀ/√d)·v, given M_i = (P·|V|)_i (the same attention run on |v|).
    ///
    /// The weighted sum of up to `keys` values rounds like any K-term sum: λu√K·M_i. The softmax
    /// weights come out relatively wrong by (a) the rounding of their normalising sum of `keys`
    /// positive terms, λu√K, (b) the scores' own error η_j (a d-term dot product, λu√d·a with a the
    /// largest Σ|q·k|/√d), which exp turns into a relative error η_j − Σ p·η, at most 2·max|η|, and
    /// (c) exp's approximation (CKernels' vector exp: ~1e-7, taken as 4u) and the scaling by 1/Σ (u).
    /// A relative error ε in every weight moves the output by at most ε·Σ p|v| = ε·M_i.
    static func attention(query q: Tensor, keys: [Tensor], valueMagnitudes: Tensor, evaluations: Int = 1) -> Tolerance {
        let d = Double(q.size(-1))
        let keyCount = Double(keys.reduce(0) { $0 + $1.size(1) })
        // Cauchy–Schwarz: Σ|q_c·k_c| ≤ |q|·|k|, so the largest row norms bound every score's terms.
        let largestScoreTerms = largestRowNorm(q) * (keys.map(largestRowNorm).max() ?? 0) / d.squareRoot()
        let sums = 2 * Tolerance.roundingCoefficient(reductionLength: keyCount, evaluations: evaluations)
        let scores = 2 * Tolerance.roundingCoefficient(reductionLength: d, evaluations: evaluations) * largestScoreTerms
        let exp = 5 * Tolerance.unitRoundoff
        return Tolerance(coefficient: sums + scores + exp, magnitude: .perElement(valueMagnitudes))
    }

    /// `attention(query:keys:valueMagnitudes:)` for the attention kernel's own inputs, M_i from the
    /// kernel run on |v| (a bug that moved results would be far outside a bound of this size anyway).
    static func attention(_ q: Tensor, _ segments: [KVSegment], queryFirstPosition: Int = 0, mask: AttentionMask = .none,
                          evaluations: Int = 1) -> Tolerance {
        let absolute = segments.map { KVSegment(keys: $0.keys, values: $0.values.absolute, firstPosition: $0.firstPosition) }
        let magnitudes = Kernels.attention(query: q, segments: absolute, queryFirstPosition: queryFirstPosition, mask: mask)
        return attention(query: q, keys: segments.map(\.keys), valueMagnitudes: magnitudes, evaluations: evaluations)
    }

    private static func largestRowNorm(_ t: Tensor) -> Double {
        let n = t.size(-1), values = t.toArray()
        return stride(from: 0, to: values.count, by: n).map { start in
            values[start..<(start + n)].reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
        }.max() ?? 0
    }
}

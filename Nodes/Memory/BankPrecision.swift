import FlowKit

/// How the memory bank keeps an evicted frame's K/V. The bank holds far more frames than the attention
/// window (an hour of video is 14,400 latent frames), so int8 storage matters more here than in the cache.
public enum BankPrecision: String, Sendable, CaseIterable {
    case f32 = "none"
    /// Symmetric int8, one f32 scale per (head, token) row of head_dim values, as cache.manager's int8.
    case int8

    /// Bytes of one [heads, tokens, headDim] K or V tensor in this precision, scales included. `BankTensor.bytes`
    /// measures the same thing on a stored tensor; the node's compile-time budget check uses this.
    public func tensorBytes(heads: Int, tokens: Int, headDim: Int) -> Int {
        let rows = heads * tokens
        switch self {
        case .f32: return rows * headDim * 4
        case .int8: return rows * (headDim + 4)
        }
    }
}

/// One stored K or V tensor of a banked frame.
enum BankTensor: Sendable {
    case f32(Tensor)
    case int8(Int8Quantized)

    init(_ x: Tensor, precision: BankPrecision) {
        let dense = x.contiguous()
        switch precision {
        case .f32: self = .f32(dense)
        // A scale per row of the last axis: per (head, token) for [heads, tokens, headDim].
        case .int8: self = .int8(Int8Quantized(quantizing: dense, grouping: .perBlock(size: max(dense.shape.last ?? 1, 1))))
        }
    }

    /// The tensor as attention reads it (f32).
    var tensor: Tensor {
        switch self {
        case .f32(let t): return t
        case .int8(let q): return q.dequantized()
        }
    }

    /// Bytes held, scales included.
    var bytes: Int {
        switch self {
        case .f32(let t): return t.count * 4
        case .int8(let q): return q.values.count + q.scales.count * 4
        }
    }
}

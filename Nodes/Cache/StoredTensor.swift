import FlowKit

/// How the cache keeps K/V tensors: f32, or quantized to save memory.
public enum KVPrecision: String, Sendable, CaseIterable {
    case f32 = "none"
    /// Symmetric int8, one f32 scale per (head, token) row of head_dim values.
    case int8
    /// Symmetric 4-bit, one f32 scale per 32 consecutive values.
    case int4 = "4bit"
}

/// One K or V tensor in the cache's chosen precision.
enum StoredTensor: Sendable {
    case f32(Tensor)
    case int8(Int8Quantized)
    case int4(Int4BlockQuantized)

    init(_ x: Tensor, precision: KVPrecision) {
        switch precision {
        case .f32: self = .f32(x)
        case .int8: self = .int8(Int8Quantized(quantizing: x.contiguous(), grouping: .perBlock(size: x.shape.last!)))
        case .int4: self = .int4(Int4BlockQuantized(quantizing: x.contiguous(), blockSize: 32))
        }
    }

    var tensor: Tensor {
        switch self {
        case .f32(let t): return t
        case .int8(let q): return q.dequantized()
        case .int4(let q): return q.dequantized()
        }
    }

    /// Elements of the original tensor (without dequantizing).
    var elementCount: Int {
        switch self {
        case .f32(let t): return t.count
        case .int8(let q): return q.values.count
        case .int4(let q): return Tensor.elementCount(q.shape)
        }
    }

    /// Bytes held, scales included.
    var bytes: Int {
        switch self {
        case .f32(let t): return t.count * 4
        case .int8(let q): return q.values.count + q.scales.count * 4
        case .int4(let q): return q.packed.count + q.scales.count * 4
        }
    }
}

/// A cached frame: its K/V per layer in storage precision, and its clean latent for re-cache.
struct StoredFrame: Sendable {
    var position: Int
    var keys: [StoredTensor]
    var values: [StoredTensor]
    var latent: Tensor?
    var promptGeneration: Int

    init(_ frame: KVFrame, precision: KVPrecision) {
        position = frame.position
        keys = frame.keys.map { StoredTensor($0, precision: precision) }
        values = frame.values.map { StoredTensor($0, precision: precision) }
        latent = frame.latent
        promptGeneration = frame.promptGeneration
    }

    var bytes: Int { (keys + values).reduce(0) { $0 + $1.bytes } }
    var f32Bytes: Int { (keys + values).reduce(0) { $0 + $1.elementCount * 4 } }

    /// The frame as attention sees it (dequantized).
    var frame: KVFrame {
        KVFrame(position: position, keys: keys.map(\.tensor), values: values.map(\.tensor), latent: latent,
                promptGeneration: promptGeneration)
    }
}

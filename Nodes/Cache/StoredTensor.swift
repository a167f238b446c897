import FlowKit

/// How the cache keeps K/V tensors: f32, or quantized to save memory.
public enum KVPrecision: String, Sendable, CaseIterable {
    case f32 = "none"
    /// Symmetric int8, one f32 scale per (head, token) row of head_dim values.
    case int8
    /// Symmetric 4-bit, one f32 scale per 32 consecutive values (per gcd(count, 32) values for a tensor whose
    /// element count 32 does not divide, e.g. a compressed frame's with head_dim not a multiple of 32).
    case int4 = "4bit"

    /// The 4-bit block size for a tensor of `count` elements: 32, or the largest even divisor of 32 dividing it.
    static func int4BlockSize(count: Int) -> Int {
        var size = 32
        while size > 2 && count % size != 0 { size /= 2 }
        precondition(count % size == 0, "4-bit storage needs an even element count, got \(count)")
        return size
    }
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
        case .int4: self = .int4(Int4BlockQuantized(quantizing: x.contiguous(), blockSize: KVPrecision.int4BlockSize(count: x.count)))
        }
    }

    var tensor: Tensor {
        switch self {
        case .f32(let t): return t
        case .int8(let q): return q.dequantized()
        case .int4(let q): return q.dequantized()
        }
    }

    /// Shape of the original tensor.
    var shape: [Int] {
        switch self {
        case .f32(let t): return t.shape
        case .int8(let q): return q.values.shape
        case .int4(let q): return q.shape
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
    var keysRotated: Bool
    /// Tokens per layer and head as the denoiser wrote the frame (before any compression).
    let fullTokens: Int
    /// Bytes of the frame at full size: in f32, and in storage precision (what it held before compression).
    let fullF32Bytes: Int
    let fullBytes: Int
    /// Attention compression: whether the frame was compressed, how many blocks reported attention mass on it,
    /// and the summed mass `[layers * heads * fullTokens]` (dropped once compressed).
    var compressed = false
    var observations = 0
    var mass: [Float]?

    init(_ frame: KVFrame, precision: KVPrecision) {
        position = frame.position
        keys = frame.keys.map { StoredTensor($0, precision: precision) }
        values = frame.values.map { StoredTensor($0, precision: precision) }
        latent = frame.latent
        promptGeneration = frame.promptGeneration
        keysRotated = frame.keysRotated
        fullTokens = frame.keys.first?.shape[1] ?? 0
        fullF32Bytes = frame.f32Bytes
        fullBytes = (keys + values).reduce(0) { $0 + $1.bytes }
    }

    var bytes: Int { (keys + values).reduce(0) { $0 + $1.bytes } }
    /// Bytes of the frame in f32 at full size (uncompressed, unquantized).
    var f32Bytes: Int { fullF32Bytes }
    /// Tokens per layer and head held now.
    var tokens: Int { keys.first.map { $0.shape[1] } ?? 0 }

    /// The frame as attention sees it (dequantized).
    var frame: KVFrame {
        KVFrame(position: position, keys: keys.map(\.tensor), values: values.map(\.tensor), latent: latent,
                promptGeneration: promptGeneration, keysRotated: keysRotated)
    }
}

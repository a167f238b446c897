/// Symmetric 4-bit blockwise quantization: each block of `blockSize` consecutive elements (row-major)
/// has an f32 scale = max|x| / 7 (1 if all zero); q = clamp(round-half-even(x / scale), -8, 7).
/// Codes are stored as q + 8 in nibbles, two per byte, element 2i in the low nibble.
public struct Int4BlockQuantized: Sendable {
    /// Packed nibbles, u8 [count / 2].
    public let packed: Tensor
    /// f32 [count / blockSize].
    public let scales: Tensor
    /// Shape of the original tensor.
    public let shape: [Int]
    public let blockSize: Int

    public init(packed: Tensor, scales: Tensor, shape: [Int], blockSize: Int) {
        precondition(packed.dtype == .u8 && scales.dtype == .f32, "Int4BlockQuantized wants u8 codes and f32 scales")
        let count = Tensor.elementCount(shape)
        precondition(blockSize > 0 && blockSize % 2 == 0 && count % blockSize == 0, "block size \(blockSize) must be even and divide \(count)")
        precondition(packed.count == count / 2 && scales.count == count / blockSize, "Int4BlockQuantized: sizes disagree with shape \(shape)")
        self.packed = packed; self.scales = scales; self.shape = shape; self.blockSize = blockSize
    }

    /// Quantizes an f32 tensor whose element count is a multiple of `blockSize` (even).
    public init(quantizing x: Tensor, blockSize: Int = 32) {
        x.requireF32("int4 quantize")
        let count = x.count
        precondition(blockSize > 0 && blockSize % 2 == 0 && count % blockSize == 0, "block size \(blockSize) must be even and divide \(count)")
        var scaleValues = [Float](repeating: 1, count: count / blockSize)
        let codes = Tensor(shape: [count / 2], dtype: .u8) { raw in
            let bytes = raw.bindMemory(to: UInt8.self)
            x.withUnsafeFloats { src in
                for block in 0..<scaleValues.count {
                    let start = block * blockSize
                    var absMax: Float = 0
                    for i in start..<(start + blockSize) { absMax = max(absMax, abs(src[i])) }
                    let scale: Float = absMax > 0 ? absMax / 7 : 1
                    scaleValues[block] = scale
                    for i in stride(from: start, to: start + blockSize, by: 2) {
                        let lo = Self.code(src[i], scale), hi = Self.code(src[i + 1], scale)
                        bytes[i / 2] = lo | (hi << 4)
                    }
                }
            }
        }
        self.init(packed: codes, scales: Tensor(shape: [count / blockSize], values: scaleValues), shape: x.shape, blockSize: blockSize)
    }

    @inline(__always)
    private static func code(_ v: Float, _ scale: Float) -> UInt8 {
        let q = min(max((v / scale).rounded(.toNearestOrEven), -8), 7)
        return UInt8(Int(q) + 8)
    }

    /// Back to f32 with the original shape.
    public func dequantized() -> Tensor {
        let block = blockSize
        return Tensor(shape: shape) { out in
            packed.withUnsafeBytes { raw in
                scales.withUnsafeFloats { s in
                    for i in stride(from: 0, to: out.count, by: 2) {
                        let byte = raw[i / 2], scale = s[i / block]
                        out[i] = Float(Int(byte & 0x0F) - 8) * scale
                        out[i + 1] = Float(Int(byte >> 4) - 8) * scale
                    }
                }
            }
        }
    }
}

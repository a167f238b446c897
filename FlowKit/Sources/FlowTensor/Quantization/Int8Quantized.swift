/// Symmetric int8 quantization with f32 scales: x ≈ q · scale, q in [-127, 127].
/// scale = max|x| / 127 over each group (1 for an all-zero group); q = round-half-even(x / scale).
public struct Int8Quantized: Sendable {
    /// Which elements share a scale.
    public enum Grouping: Sendable, Equatable {
        /// One scale per index along `axis` (e.g. per output channel of a weight: axis 0).
        case perChannel(axis: Int)
        /// One scale per run of `size` consecutive elements along the last dimension
        /// (which must be a multiple of `size`).
        case perBlock(size: Int)
    }

    /// int8 codes, same shape as the original.
    public let values: Tensor
    /// f32 scales: [extent of axis] per channel; [..., last/size] per block.
    public let scales: Tensor
    public let grouping: Grouping

    public init(values: Tensor, scales: Tensor, grouping: Grouping) {
        precondition(values.dtype == .i8 && scales.dtype == .f32, "Int8Quantized wants i8 values and f32 scales")
        self.values = values
        self.scales = scales
        self.grouping = grouping
    }

    /// Quantizes an f32 tensor.
    public init(quantizing x: Tensor, grouping: Grouping) {
        x.requireF32("int8 quantize")
        let layout = QuantGroups(shape: x.shape, grouping: grouping)
        var scaleValues = [Float](repeating: 1, count: layout.scaleCount)
        let codes = Tensor(shape: x.shape, dtype: .i8) { raw in
            let q = raw.bindMemory(to: Int8.self)
            x.withUnsafeFloats { src in
                var absMax = [Float](repeating: 0, count: layout.scaleCount)
                for i in 0..<src.count { let g = layout.group(of: i); absMax[g] = max(absMax[g], abs(src[i])) }
                for g in 0..<absMax.count where absMax[g] > 0 { scaleValues[g] = absMax[g] / 127 }
                for i in 0..<src.count {
                    let v = (src[i] / scaleValues[layout.group(of: i)]).rounded(.toNearestOrEven)
                    q[i] = Int8(min(max(v, -127), 127))
                }
            }
        }
        self.init(values: codes, scales: Tensor(shape: layout.scaleShape, values: scaleValues), grouping: grouping)
    }

    /// Back to f32: q · scale.
    public func dequantized() -> Tensor {
        let layout = QuantGroups(shape: values.shape, grouping: grouping)
        return Tensor(shape: values.shape) { out in
            values.withUnsafeBytes { raw in
                let q = raw.bindMemory(to: Int8.self)
                scales.withUnsafeFloats { s in
                    for i in 0..<out.count { out[i] = Float(q[i]) * s[layout.group(of: i)] }
                }
            }
        }
    }
}

/// Maps a flat element index to its scale group.
struct QuantGroups {
    let scaleShape: [Int]
    let scaleCount: Int
    private let inner: Int     // elements per step along the grouped axis (per channel) or block size
    private let extent: Int    // groups per period (per channel) or 0 for blocks
    private let perChannel: Bool

    init(shape: [Int], grouping: Int8Quantized.Grouping) {
        switch grouping {
        case .perChannel(let axis):
            let a = axis < 0 ? axis + shape.count : axis
            precondition(a >= 0 && a < shape.count, "perChannel axis \(axis) for shape \(shape)")
            inner = shape[(a + 1)...].reduce(1, *)
            extent = shape[a]
            scaleShape = [shape[a]]
            perChannel = true
        case .perBlock(let size):
            precondition(size > 0 && (shape.last ?? 0) % size == 0, "perBlock size \(size) must divide the last dimension of \(shape)")
            inner = size
            extent = 0
            scaleShape = Array(shape.dropLast()) + [(shape.last ?? 0) / size]
            perChannel = false
        }
        scaleCount = scaleShape.reduce(1, *)
    }

    @inline(__always)
    func group(of index: Int) -> Int { perChannel ? (index / inner) % extent : index / inner }
}

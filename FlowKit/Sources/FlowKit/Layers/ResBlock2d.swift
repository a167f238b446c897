/// ResBlock2d: x + conv2(SiLU(GN2(conv1(SiLU(GN1(x)))))), frame by frame.
public struct ResBlock2d: Sendable {
    public let norm1, norm2: GroupNormLayer
    public let conv1, conv2: Conv2d

    public init(_ w: WeightFile, _ name: String, channels c: Int, groups: Int, epsilon: Float, precision: Precision = .f32) throws {
        norm1 = try GroupNormLayer(w, name + ".norm1", channels: c, groups: groups, epsilon: epsilon)
        norm2 = try GroupNormLayer(w, name + ".norm2", channels: c, groups: groups, epsilon: epsilon)
        conv1 = try Conv2d(w, name + ".conv1", out: c, in: c, precision: precision)
        conv2 = try Conv2d(w, name + ".conv2", out: c, in: c, precision: precision)
    }

    /// x [N, C, H, W]
    public func callAsFunction(_ x: Tensor) -> Tensor {
        let h = conv1(Kernels.silu(norm1(x)))
        return Kernels.add(x, conv2(Kernels.silu(norm2(h))))
    }
}

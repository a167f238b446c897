/// ResBlock2d on channels-last frames [N, H, W, C] through oneDNN's convolutions:
/// x + conv2(SiLU(GN2(conv1(SiLU(GN1(x)))))), the skip added by conv2 itself. Same weights as `ResBlock2d`.
public struct ChannelsLastResBlock2d: Sendable {
    public let norm1, norm2: GroupNormLayer
    public let conv1, conv2: ChannelsLastConvolution

    public init(_ w: WeightFile, _ name: String, channels c: Int, groups: Int, epsilon: Float, precision: Precision = .f32) throws {
        norm1 = try GroupNormLayer(w, name + ".norm1", channels: c, groups: groups, epsilon: epsilon)
        norm2 = try GroupNormLayer(w, name + ".norm2", channels: c, groups: groups, epsilon: epsilon)
        conv1 = try ChannelsLastConvolution(w, name + ".conv1", out: c, in: c, precision: precision)
        conv2 = try ChannelsLastConvolution(w, name + ".conv2", out: c, in: c, precision: precision)
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        let h = conv1(norm1.channelsLast(x, silu: true))
        return conv2(norm2.channelsLast(h, silu: true), adding: x)
    }
}

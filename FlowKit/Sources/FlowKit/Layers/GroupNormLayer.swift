/// GroupNorm with the model's 8 groups and eps, statistics per frame (each item of the batch).
public struct GroupNormLayer: Sendable {
    public let weight: Tensor
    public let bias: Tensor
    public let groups: Int
    public let epsilon: Float

    public init(_ w: WeightFile, _ name: String, channels: Int, groups: Int, epsilon: Float) throws {
        weight = try w.tensor(name + ".weight", [channels])
        bias = try w.tensor(name + ".bias", [channels])
        self.groups = groups
        self.epsilon = epsilon
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        Kernels.groupNorm(x, groups: groups, weight: weight, bias: bias, epsilon: epsilon)
    }
}

extension GroupNormLayer {
    /// The same norm on channels-last activations [N, ..., C], with SiLU fused when `silu`.
    public func channelsLast(_ x: Tensor, silu: Bool) -> Tensor {
        Kernels.groupNormChannelsLast(x, groups: groups, weight: weight, bias: bias, epsilon: epsilon, silu: silu)
    }
}

/// A causal 3x3x3 convolution over a stream of frames. Its cache is the last two input time slices
/// it saw (zeros at stream start), so feeding frames one at a time equals feeding them all at once.
public struct CausalConv3d: Sendable {
    public let weight: Tensor
    public let bias: Tensor

    public init(_ w: WeightFile, _ name: String, channels c: Int, precision: Precision = .f32) throws {
        weight = try w.tensor(name + ".conv.weight", [c, c, 3, 3, 3]).converted(to: precision.weightDType)
        bias = try w.tensor(name + ".conv.bias", [c])
    }

    /// x [1, C, T, H, W] and the cache [1, C, 2, H, W] -> (y [1, C, T, H, W], new cache).
    public func callAsFunction(_ x: Tensor, cache: Tensor) -> (Tensor, Tensor) {
        let y = Kernels.causalConv3d(x, weight: weight, bias: bias, past: cache, padding: (1, 1))
        let t = x.shape[2]
        let history = Tensor.concatenate([cache, x], dim: 2)
        return (y, history.slice(dim: 2, t..<(t + 2)).contiguous())
    }
}

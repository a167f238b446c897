/// CausalResBlock3d on channels-last frames [T, H, W, C] (GroupNorm per frame) through oneDNN's convolutions.
/// Each causal 3x3x3 convolution is one 3D convolution, valid in time, over its cached last two input frames
/// followed by the new ones ([1, 2 + T, H, W, C]: frames are already the outer dimension), so streaming frame by
/// frame equals decoding them at once. Same weights as `CausalResBlock3d`.
public struct ChannelsLastCausalResBlock3d: Sendable {
    public let norm1, norm2: GroupNormLayer
    public let conv1, conv2: ChannelsLastConvolution
    public let channels: Int

    /// The last two input frames of each convolution, [2, H, W, C] (zeros at stream start).
    public struct Cache: Sendable {
        public var first: Tensor
        public var second: Tensor

        public init(first: Tensor, second: Tensor) {
            self.first = first
            self.second = second
        }
    }

    public init(_ w: WeightFile, _ name: String, channels c: Int, groups: Int, epsilon: Float, precision: Precision = .f32) throws {
        norm1 = try GroupNormLayer(w, name + ".norm1", channels: c, groups: groups, epsilon: epsilon)
        norm2 = try GroupNormLayer(w, name + ".norm2", channels: c, groups: groups, epsilon: epsilon)
        conv1 = try ChannelsLastConvolution(w, name + ".conv1.conv", out: c, in: c, time: 3, precision: precision)
        conv2 = try ChannelsLastConvolution(w, name + ".conv2.conv", out: c, in: c, time: 3, precision: precision)
        channels = c
    }

    public func emptyCache(height: Int, width: Int) -> Cache {
        let z = Tensor(zeros: [2, height, width, channels])
        return Cache(first: z, second: z)
    }

    /// x [T, H, W, C] -> [T, H, W, C], advancing the cache by T frames.
    public func callAsFunction(_ x: Tensor, cache: inout Cache) -> Tensor {
        let (c1, next1) = Self.causal(conv1, norm1.channelsLast(x, silu: true), past: cache.first)
        let (c2, next2) = Self.causal(conv2, norm2.channelsLast(c1, silu: true), past: cache.second, adding: x)
        cache = Cache(first: next1, second: next2)
        return c2
    }

    /// conv over [past, x] in time -> (y [T, H, W, C], the last two frames of [past, x]).
    static func causal(_ conv: ChannelsLastConvolution, _ x: Tensor, past: Tensor, adding residual: Tensor? = nil) -> (Tensor, Tensor) {
        let t = x.shape[0], s = x.shape
        precondition(past.shape == [2, s[1], s[2], s[3]], "causal convolution: cache is \(past.shape), frames \(s)")
        let history = Tensor.concatenate([past, x], dim: 0)
        let y = conv(history.reshaped([1, t + 2, s[1], s[2], s[3]]), adding: residual?.reshaped([1] + s))
        return (y.reshaped(s), history.slice(dim: 0, t..<(t + 2)).contiguous())
    }
}

import FlowKit

/// `conv2d(x, W, pad)` with its weights.
struct Conv2d {
    let weight: Tensor
    let bias: Tensor
    let stride: Int

    init(_ w: WeightFile, _ name: String, out: Int, in inputs: Int, stride: Int = 1) throws {
        weight = try w.tensor(name + ".weight", [out, inputs, 3, 3])
        bias = try w.tensor(name + ".bias", [out])
        self.stride = stride
    }

    /// x [N, C, H, W] -> [N, O, H', W'], zero padding 1.
    func callAsFunction(_ x: Tensor) -> Tensor {
        Kernels.conv2d(x, weight: weight, bias: bias, stride: (stride, stride), padding: (1, 1))
    }
}

/// GroupNorm with the model's 8 groups and eps, statistics per frame (each item of the batch).
struct GroupNormLayer {
    let weight: Tensor
    let bias: Tensor
    let groups: Int
    let epsilon: Float

    init(_ w: WeightFile, _ name: String, channels: Int, groups: Int, epsilon: Float) throws {
        weight = try w.tensor(name + ".weight", [channels])
        bias = try w.tensor(name + ".bias", [channels])
        self.groups = groups
        self.epsilon = epsilon
    }

    func callAsFunction(_ x: Tensor) -> Tensor {
        Kernels.groupNorm(x, groups: groups, weight: weight, bias: bias, epsilon: epsilon)
    }
}

/// ResBlock2d: x + conv2(SiLU(GN2(conv1(SiLU(GN1(x)))))), frame by frame.
struct ResBlock2d {
    let norm1, norm2: GroupNormLayer
    let conv1, conv2: Conv2d

    init(_ w: WeightFile, _ name: String, channels c: Int, groups: Int, epsilon: Float) throws {
        norm1 = try GroupNormLayer(w, name + ".norm1", channels: c, groups: groups, epsilon: epsilon)
        norm2 = try GroupNormLayer(w, name + ".norm2", channels: c, groups: groups, epsilon: epsilon)
        conv1 = try Conv2d(w, name + ".conv1", out: c, in: c)
        conv2 = try Conv2d(w, name + ".conv2", out: c, in: c)
    }

    /// x [N, C, H, W]
    func callAsFunction(_ x: Tensor) -> Tensor {
        let h = conv1(Kernels.silu(norm1(x)))
        return Kernels.add(x, conv2(Kernels.silu(norm2(h))))
    }
}

/// A causal 3x3x3 convolution over a stream of frames. Its cache is the last two input time slices
/// it saw (zeros at stream start), so feeding frames one at a time equals feeding them all at once.
struct CausalConv3d {
    let weight: Tensor
    let bias: Tensor

    init(_ w: WeightFile, _ name: String, channels c: Int) throws {
        weight = try w.tensor(name + ".conv.weight", [c, c, 3, 3, 3])
        bias = try w.tensor(name + ".conv.bias", [c])
    }

    /// x [1, C, T, H, W] and the cache [1, C, 2, H, W] -> (y [1, C, T, H, W], new cache).
    func callAsFunction(_ x: Tensor, cache: Tensor) -> (Tensor, Tensor) {
        let y = Kernels.causalConv3d(x, weight: weight, bias: bias, past: cache, padding: (1, 1))
        let t = x.shape[2]
        let history = Tensor.concatenate([cache, x], dim: 2)
        return (y, history.slice(dim: 2, t..<(t + 2)).contiguous())
    }
}

/// CausalResBlock3d: ResBlock2d with causal 3D convolutions; GroupNorm stays per frame.
struct CausalResBlock3d {
    let norm1, norm2: GroupNormLayer
    let conv1, conv2: CausalConv3d
    let channels: Int

    /// The two convolutions' caches.
    struct Cache: Sendable {
        var first: Tensor
        var second: Tensor
    }

    init(_ w: WeightFile, _ name: String, channels c: Int, groups: Int, epsilon: Float) throws {
        norm1 = try GroupNormLayer(w, name + ".norm1", channels: c, groups: groups, epsilon: epsilon)
        norm2 = try GroupNormLayer(w, name + ".norm2", channels: c, groups: groups, epsilon: epsilon)
        conv1 = try CausalConv3d(w, name + ".conv1", channels: c)
        conv2 = try CausalConv3d(w, name + ".conv2", channels: c)
        channels = c
    }

    func emptyCache(height: Int, width: Int) -> Cache {
        let z = Tensor(zeros: [1, channels, 2, height, width])
        return Cache(first: z, second: z)
    }

    /// x [T, C, H, W] (frames as the batch) -> [T, C, H, W], advancing the cache by T frames.
    func callAsFunction(_ x: Tensor, cache: inout Cache) -> Tensor {
        let h1 = Kernels.silu(norm1(x))
        let (c1, next1) = conv1(Self.toTime(h1), cache: cache.first)
        let h2 = Kernels.silu(norm2(Self.toFrames(c1)))
        let (c2, next2) = conv2(Self.toTime(h2), cache: cache.second)
        cache = Cache(first: next1, second: next2)
        return Kernels.add(x, Self.toFrames(c2))
    }

    /// [T, C, H, W] -> [1, C, T, H, W]
    static func toTime(_ x: Tensor) -> Tensor {
        let s = x.shape
        return x.permuted([1, 0, 2, 3]).contiguous().reshaped([1, s[1], s[0], s[2], s[3]])
    }

    /// [1, C, T, H, W] -> [T, C, H, W]
    static func toFrames(_ x: Tensor) -> Tensor {
        let s = x.shape
        return x.reshaped([s[1], s[2], s[3], s[4]]).permuted([1, 0, 2, 3]).contiguous()
    }
}

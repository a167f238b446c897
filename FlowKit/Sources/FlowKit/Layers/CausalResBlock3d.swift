/// CausalResBlock3d: ResBlock2d with causal 3D convolutions; GroupNorm stays per frame.
public struct CausalResBlock3d: Sendable {
    public let norm1, norm2: GroupNormLayer
    public let conv1, conv2: CausalConv3d
    public let channels: Int

    /// The two convolutions' caches.
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
        conv1 = try CausalConv3d(w, name + ".conv1", channels: c, precision: precision)
        conv2 = try CausalConv3d(w, name + ".conv2", channels: c, precision: precision)
        channels = c
    }

    public func emptyCache(height: Int, width: Int) -> Cache {
        let z = Tensor(zeros: [1, channels, 2, height, width])
        return Cache(first: z, second: z)
    }

    /// x [T, C, H, W] (frames as the batch) -> [T, C, H, W], advancing the cache by T frames.
    public func callAsFunction(_ x: Tensor, cache: inout Cache) -> Tensor {
        let h1 = Kernels.silu(norm1(x))
        let (c1, next1) = conv1(Self.toTime(h1), cache: cache.first)
        let h2 = Kernels.silu(norm2(Self.toFrames(c1)))
        let (c2, next2) = conv2(Self.toTime(h2), cache: cache.second)
        cache = Cache(first: next1, second: next2)
        return Kernels.add(x, Self.toFrames(c2))
    }

    /// [T, C, H, W] -> [1, C, T, H, W]
    public static func toTime(_ x: Tensor) -> Tensor {
        let s = x.shape
        return x.permuted([1, 0, 2, 3]).contiguous().reshaped([1, s[1], s[0], s[2], s[3]])
    }

    /// [1, C, T, H, W] -> [T, C, H, W]
    public static func toFrames(_ x: Tensor) -> Tensor {
        let s = x.shape
        return x.reshaped([s[1], s[2], s[3], s[4]]).permuted([1, 0, 2, 3]).contiguous()
    }
}

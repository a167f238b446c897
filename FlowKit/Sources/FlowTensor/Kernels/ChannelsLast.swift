internal import CKernels

/// Kernels on channels-last activations ([N, ..., C], channels innermost), the layout oneDNN's direct
/// convolutions read (`ChannelsLastConvolution`), so a network in it never transposes between layers.
extension Kernels {
    /// Group norm of [N, ..., C]: per item of the batch, `groups` groups of adjacent channels normalised over all
    /// positions, then the per-channel affine; `silu` applies SiLU in the same pass (GroupNorm -> SiLU).
    public static func groupNormChannelsLast(_ x: Tensor, groups: Int, weight: Tensor?, bias: Tensor?, epsilon: Float,
                                             silu: Bool = false) -> Tensor {
        x.requireF32("groupNormChannelsLast")
        precondition(x.rank >= 2, "groupNormChannelsLast needs [N, ..., C], got \(x.shape)")
        let items = x.shape[0], channels = x.shape[x.rank - 1]
        precondition(groups > 0 && channels % groups == 0, "groupNorm: \(channels) channels not divisible by \(groups) groups")
        if let weight { precondition(weight.count == channels, "groupNorm weight has \(weight.count) values for \(channels) channels") }
        if let bias { precondition(bias.count == channels, "groupNorm bias has \(bias.count) values for \(channels) channels") }
        let pixels = x.count / max(items * channels, 1)
        let w = weight?.contiguous(), b = bias?.contiguous()
        return Tensor(shape: x.shape) { out in
            x.withUnsafeFloats { src in
                guard src.count > 0 else { return }
                optionalFloats(w) { wp in
                    optionalFloats(b) { bp in
                        ck_group_norm_channels_last(src.baseAddress!, out.baseAddress!, items, pixels, channels, groups, wp, bp,
                                                    epsilon, silu ? 1 : 0)
                    }
                }
            }
        }
    }

    /// Nearest-neighbour upsampling of [N, H, W, C] by integer factors: each pixel's C values are copied whole.
    public static func upsampleNearestChannelsLast(_ x: Tensor, scale: (h: Int, w: Int)) -> Tensor {
        x.requireF32("upsampleNearestChannelsLast")
        precondition(x.rank == 4 && scale.h > 0 && scale.w > 0, "upsampleNearestChannelsLast: bad input \(x.shape) or scale")
        let n = x.shape[0], h = x.shape[1], w = x.shape[2], c = x.shape[3]
        let oh = h * scale.h, ow = w * scale.w
        return Tensor(shape: [n, oh, ow, c]) { out in
            x.withUnsafeFloats { src in
                for item in 0..<n {
                    for y in 0..<h {
                        // Widen the source row once, then copy it for the other rows it covers.
                        let srcRow = src.baseAddress! + (item * h + y) * w * c
                        let dst = out.baseAddress! + (item * oh + y * scale.h) * ow * c
                        for xi in 0..<w {
                            for r in 0..<scale.w { (dst + (xi * scale.w + r) * c).update(from: srcRow + xi * c, count: c) }
                        }
                        for r in 1..<scale.h { (dst + r * ow * c).update(from: dst, count: ow * c) }
                    }
                }
            }
        }
    }
}

extension Tensor {
    /// [N, C, *spatial] -> [N, *spatial, C], contiguous.
    public func channelsLast() -> Tensor {
        precondition(rank >= 3, "channelsLast needs [N, C, ...], got \(shape)")
        return permuted([0] + Array(2..<rank) + [1]).contiguous()
    }

    /// [N, *spatial, C] -> [N, C, *spatial], contiguous.
    public func channelsFirst() -> Tensor {
        precondition(rank >= 3, "channelsFirst needs [N, ..., C], got \(shape)")
        return permuted([0, rank - 1] + Array(1..<(rank - 1))).contiguous()
    }
}

/// The tensor's floats, or nil for no tensor (C kernels take NULL for "no weight").
private func optionalFloats<R>(_ t: Tensor?, _ body: (UnsafePointer<Float>?) -> R) -> R {
    guard let t else { return body(nil) }
    return t.withUnsafeFloats { body($0.baseAddress) }
}

import FlowKit

/// The world-tiny VAE decoder: latent frames `[n, 16, 8, 8]` -> video frames `[4n, 3, 64, 64]`.
/// Only `decoder.mid` looks back in time (causal 3D convolutions); its cache makes streaming exact.
///
/// Activations are channels-last ([frames, H, W, C]) from the input transpose to the output one, so every
/// convolution runs as oneDNN's own direct convolution (`ChannelsLastConvolution`) on its input in place, and
/// GroupNorm + SiLU, upsampling and the residual adds never transpose. (The im2col + GEMM convolutions of
/// `Kernels.conv2d` compute the same layers channels-first; the tests check the two agree.)
struct VAEDecoder {
    let framesPerLatent: Int
    let latentChannels: Int
    let latentSize: Int
    let convIn: ChannelsLastConvolution
    let mid: ChannelsLastCausalResBlock3d
    let res0, res1, res2, res3: ChannelsLastResBlock2d
    let up0, up1, up2: ChannelsLastConvolution
    let normOut: GroupNormLayer
    let convOut: ChannelsLastConvolution

    /// The state a stream carries from one latent frame to the next (channels-last frames).
    typealias Cache = ChannelsLastCausalResBlock3d.Cache

    /// The precision its convolutions run at (`Precision.effective` of what was asked).
    let precision: Precision

    init(folder: ModelFolder, precision asked: Precision = .f32) throws {
        let cfg = try VAEConfig(folder: folder)
        let precision = asked.effective
        self.precision = precision
        let (c0, c1, c2, zc) = (cfg.c0, cfg.c1, cfg.c2, cfg.latentChannels)
        let (groups, eps, w) = (cfg.groups, cfg.epsilon, cfg.weights)
        framesPerLatent = cfg.framesPerLatent
        latentChannels = zc
        latentSize = 8
        convIn = try ChannelsLastConvolution(w, "decoder.conv_in", out: c2, in: zc, precision: precision)
        mid = try ChannelsLastCausalResBlock3d(w, "decoder.mid", channels: c2, groups: groups, epsilon: eps, precision: precision)
        res0 = try ChannelsLastResBlock2d(w, "decoder.res0", channels: c2, groups: groups, epsilon: eps, precision: precision)
        up0 = try ChannelsLastConvolution(w, "decoder.up0", out: c2, in: c2, precision: precision)
        res1 = try ChannelsLastResBlock2d(w, "decoder.res1", channels: c2, groups: groups, epsilon: eps, precision: precision)
        up1 = try ChannelsLastConvolution(w, "decoder.up1", out: c1, in: c2, precision: precision)
        res2 = try ChannelsLastResBlock2d(w, "decoder.res2", channels: c1, groups: groups, epsilon: eps, precision: precision)
        up2 = try ChannelsLastConvolution(w, "decoder.up2", out: c0, in: c1, precision: precision)
        res3 = try ChannelsLastResBlock2d(w, "decoder.res3", channels: c0, groups: groups, epsilon: eps, precision: precision)
        normOut = try GroupNormLayer(w, "decoder.norm_out", channels: c0, groups: groups, epsilon: eps)
        convOut = try ChannelsLastConvolution(w, "decoder.conv_out", out: 3 * framesPerLatent, in: c0, precision: precision)
        // Decode one block of zeros while the model loads: every weight is reordered into the layout its primitive
        // reads, and oneDNN keeps the block-shaped primitives (JIT code: ~3 ms at f32, ~26 ms at bf16 with AMX) in
        // its process-wide cache, so the first real block, on whichever thread, finds them there.
        var scratch = emptyCache()
        _ = decode(Tensor(zeros: [cfg.latentsPerBlock, zc, latentSize, latentSize]), cache: &scratch)
    }

    func emptyCache() -> Cache { mid.emptyCache(height: latentSize, width: latentSize) }

    /// Decodes n latent frames that follow the frames `cache` has seen; returns unclamped video
    /// `[framesPerLatent * n, 3, H, W]` in [-1, 1] nominal range.
    func decode(_ z: Tensor, cache: inout Cache) -> Tensor {
        precondition(z.rank == 4 && z.shape[1] == latentChannels, "VAE decoder wants [n, \(latentChannels), h, w], got \(z.shape)")
        var x = convIn(z.channelsLast())
        x = mid(x, cache: &cache)
        x = up0(Kernels.upsampleNearestChannelsLast(res0(x), scale: (h: 2, w: 2)))
        x = up1(Kernels.upsampleNearestChannelsLast(res1(x), scale: (h: 2, w: 2)))
        x = up2(Kernels.upsampleNearestChannelsLast(res2(x), scale: (h: 2, w: 2)))
        x = convOut(normOut.channelsLast(res3(x), silu: true)).channelsFirst()
        // [n, 4*3, H, W] -> [4n, 3, H, W]: channel f*3 + rgb is video frame 4k + f.
        let s = x.shape
        return x.reshaped([s[0] * framesPerLatent, 3, s[2], s[3]])
    }
}

extension ChannelsLastCausalResBlock3d.Cache {
    /// The cache as snapshots have always stored it: [1, C, 2, H, W] per convolution (channels-first).
    var channelsFirst: (first: Tensor, second: Tensor) {
        (first.reshaped([1] + first.shape).channelsFirst(), second.reshaped([1] + second.shape).channelsFirst())
    }

    /// A cache from its snapshot form [1, C, 2, H, W].
    init(channelsFirst first: Tensor, _ second: Tensor) {
        func frames(_ t: Tensor) -> Tensor { let s = t.shape; return t.channelsLast().reshaped([s[2], s[3], s[4], s[1]]) }
        self.init(first: frames(first), second: frames(second))
    }
}

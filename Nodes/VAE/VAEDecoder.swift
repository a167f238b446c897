import FlowKit

/// The world-tiny VAE decoder: latent frames `[n, 16, 8, 8]` -> video frames `[4n, 3, 64, 64]`.
/// Only `decoder.mid` looks back in time (causal 3D convolutions); its cache makes streaming exact.
struct VAEDecoder {
    let framesPerLatent: Int
    let latentChannels: Int
    let latentSize: Int
    let convIn: Conv2d
    let mid: CausalResBlock3d
    let res0, res1, res2, res3: ResBlock2d
    let up0, up1, up2: Conv2d
    let normOut: GroupNormLayer
    let convOut: Conv2d

    /// The state a stream carries from one latent frame to the next.
    typealias Cache = CausalResBlock3d.Cache

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
        convIn = try Conv2d(w, "decoder.conv_in", out: c2, in: zc, precision: precision)
        mid = try CausalResBlock3d(w, "decoder.mid", channels: c2, groups: groups, epsilon: eps, precision: precision)
        res0 = try ResBlock2d(w, "decoder.res0", channels: c2, groups: groups, epsilon: eps, precision: precision)
        up0 = try Conv2d(w, "decoder.up0", out: c2, in: c2, precision: precision)
        res1 = try ResBlock2d(w, "decoder.res1", channels: c2, groups: groups, epsilon: eps, precision: precision)
        up1 = try Conv2d(w, "decoder.up1", out: c1, in: c2, precision: precision)
        res2 = try ResBlock2d(w, "decoder.res2", channels: c1, groups: groups, epsilon: eps, precision: precision)
        up2 = try Conv2d(w, "decoder.up2", out: c0, in: c1, precision: precision)
        res3 = try ResBlock2d(w, "decoder.res3", channels: c0, groups: groups, epsilon: eps, precision: precision)
        normOut = try GroupNormLayer(w, "decoder.norm_out", channels: c0, groups: groups, epsilon: eps)
        convOut = try Conv2d(w, "decoder.conv_out", out: 3 * framesPerLatent, in: c0, precision: precision)
    }

    func emptyCache() -> Cache { mid.emptyCache(height: latentSize, width: latentSize) }

    /// Decodes n latent frames that follow the frames `cache` has seen; returns unclamped video
    /// `[framesPerLatent * n, 3, H, W]` in [-1, 1] nominal range.
    func decode(_ z: Tensor, cache: inout Cache) -> Tensor {
        precondition(z.rank == 4 && z.shape[1] == latentChannels, "VAE decoder wants [n, \(latentChannels), h, w], got \(z.shape)")
        var x = convIn(z)
        x = mid(x, cache: &cache)
        x = up0(Kernels.upsampleNearest(res0(x), scale: (h: 2, w: 2)))
        x = up1(Kernels.upsampleNearest(res1(x), scale: (h: 2, w: 2)))
        x = up2(Kernels.upsampleNearest(res2(x), scale: (h: 2, w: 2)))
        x = convOut(Kernels.silu(normOut(res3(x))))
        // [n, 4*3, H, W] -> [4n, 3, H, W]: channel f*3 + rgb is video frame 4k + f.
        let s = x.shape
        return x.reshaped([s[0] * framesPerLatent, 3, s[2], s[3]])
    }
}

import FlowKit

/// The world-tiny VAE encoder: video frames `[4n, 3, 64, 64]` -> latent frames `[n, 16, 8, 8]`.
/// Only `encoder.mid` looks back in time (causal 3D convolutions); its cache makes streaming exact.
struct VAEEncoder {
    let framesPerLatent: Int
    let latentChannels: Int
    let frameSize = 64
    let convIn: Conv2d
    let res0, res1, res2: ResBlock2d
    let down0, down1, down2: Conv2d
    let mid: CausalResBlock3d
    let normOut: GroupNormLayer
    let convOut: Conv2d

    /// The state a stream carries from one latent frame to the next.
    typealias Cache = CausalResBlock3d.Cache

    init(folder: ModelFolder) throws {
        let cfg = try VAEConfig(folder: folder)
        let (c0, c1, c2, zc) = (cfg.c0, cfg.c1, cfg.c2, cfg.latentChannels)
        let (groups, eps, w) = (cfg.groups, cfg.epsilon, cfg.weights)
        framesPerLatent = cfg.framesPerLatent
        latentChannels = zc
        convIn = try Conv2d(w, "encoder.conv_in", out: c0, in: 3 * framesPerLatent)
        res0 = try ResBlock2d(w, "encoder.res0", channels: c0, groups: groups, epsilon: eps)
        down0 = try Conv2d(w, "encoder.down0", out: c1, in: c0, stride: 2)
        res1 = try ResBlock2d(w, "encoder.res1", channels: c1, groups: groups, epsilon: eps)
        down1 = try Conv2d(w, "encoder.down1", out: c2, in: c1, stride: 2)
        res2 = try ResBlock2d(w, "encoder.res2", channels: c2, groups: groups, epsilon: eps)
        down2 = try Conv2d(w, "encoder.down2", out: c2, in: c2, stride: 2)
        mid = try CausalResBlock3d(w, "encoder.mid", channels: c2, groups: groups, epsilon: eps)
        normOut = try GroupNormLayer(w, "encoder.norm_out", channels: c2, groups: groups, epsilon: eps)
        convOut = try Conv2d(w, "encoder.conv_out", out: zc, in: c2)
    }

    func emptyCache() -> Cache { mid.emptyCache(height: frameSize / 8, width: frameSize / 8) }

    /// Encodes `4n` video frames in [-1, 1] that follow the frames `cache` has seen; returns raw
    /// (VAE-space, not normalised) latents `[n, 16, 8, 8]`.
    func encode(_ video: Tensor, cache: inout Cache) -> Tensor {
        let s = video.shape
        precondition(video.rank == 4 && s[0] % framesPerLatent == 0 && s[1] == 3 && s[2] == frameSize && s[3] == frameSize,
                     "VAE encoder wants [4n, 3, \(frameSize), \(frameSize)], got \(s)")
        // [4n, 3, H, W] -> [n, 4*3, H, W]: channel f*3 + rgb is video frame 4k + f (the decoder's inverse).
        var x = video.contiguous().reshaped([s[0] / framesPerLatent, 3 * framesPerLatent, s[2], s[3]])
        x = down0(res0(convIn(x)))
        x = down1(res1(x))
        x = down2(res2(x))
        x = mid(x, cache: &cache)
        return convOut(Kernels.silu(normOut(x)))
    }
}

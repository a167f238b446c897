import FlowKit

/// K along the path to one output pixel of the VAE decoder (VAEDecoder.swift), for
/// `Tolerance.network`: every 3×3 convolution (9·C_in + bias; 27·C for the causal 3D ones in the
/// middle block) and every group norm's mean and variance (C/groups channels × H·W), level by level
/// from 8×8 latents to 64×64 frames.
func vaeDecoderReductionLength(_ modelFolder: String) throws -> Double {
    let cfg = try ModelFolder(path: modelFolder).section("vae")
    let channels = try cfg.ints("channels"), groups = try cfg.int("gn_groups"), latent = try cfg.int("latent_channels")
    let (c0, c1, c2) = (channels[0], channels[1], channels[2])
    func conv(_ c: Int) -> Int { 9 * c + 1 }
    func norm(_ c: Int, side: Int) -> Int { c / groups * side * side }
    func res(_ c: Int, side: Int) -> Int { 2 * conv(c) + 2 * norm(c, side: side) }
    let middle = 2 * (27 * c2 + 1) + 2 * norm(c2, side: 8)
    let levels = res(c2, side: 8) + conv(c2) + res(c2, side: 16) + conv(c2) + res(c1, side: 32) + conv(c1) + res(c0, side: 64)
    return Double(conv(latent) + middle + levels + norm(c0, side: 64) + conv(c0))
}

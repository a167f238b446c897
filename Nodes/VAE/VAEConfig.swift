import FlowKit

/// The `vae` entry of config.json and its weights, shared by the encoder and the decoder.
struct VAEConfig {
    /// Feature widths at 64x64, 32x32 and 16x16/8x8.
    let c0, c1, c2: Int
    let latentChannels: Int
    let groups: Int
    let epsilon: Float
    let framesPerLatent: Int
    /// Latent frames per generated block (world.latents_per_block; 1 if the config has no world entry).
    let latentsPerBlock: Int
    let weights: WeightFile

    /// Latent channels `C`, latent size `h, w` and frame size `H, W` from config.json (world-tiny: 16 channels
    /// at 8x8 decode to 64x64 frames).
    static func shapeSymbols(_ folder: ModelFolder) throws -> [String: Int] {
        let vae = try folder.section("vae")
        guard let world = folder.config["world"] as? [String: Any] else { throw NodeError("config.json has no 'world' entry") }
        let factor = try vae.int("spatial_factor")
        let height = try world.int("height"), width = try world.int("width")
        return ["C": try vae.int("latent_channels"), "h": height / factor, "w": width / factor, "H": height, "W": width]
    }

    init(folder: ModelFolder) throws {
        let cfg = try folder.section("vae")
        let ch = try cfg.ints("channels")
        guard ch.count == 3 else { throw NodeError("config.json vae.channels: expected 3 values, got \(ch)") }
        (c0, c1, c2) = (ch[0], ch[1], ch[2])
        latentChannels = try cfg.int("latent_channels")
        groups = try cfg.int("gn_groups")
        epsilon = Float(try cfg.double("gn_eps"))
        framesPerLatent = try cfg.int("frames_per_latent")
        latentsPerBlock = try (folder.config["world"] as? [String: Any])?.int("latents_per_block") ?? 1
        weights = try folder.weights(cfg, name: "vae")
    }
}

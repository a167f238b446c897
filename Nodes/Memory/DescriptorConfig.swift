import FlowKit

/// The `descriptor` entry of config.json (Training/MODEL_FORMAT.md §3), with the latent frame size it reads
/// from the `denoiser` entry: the descriptor describes the denoiser's normalised latents.
struct DescriptorConfig: Sendable, Equatable {
    /// Channels of one latent frame.
    let latentChannels: Int
    /// Width of conv1 and conv2; conv3 doubles it.
    let channels: Int
    /// Length of the unit descriptor.
    let outDim: Int
    /// Added to the squared norm inside the square root of the L2 normalisation (reference.py `l2n`).
    let normEpsilon: Float
    /// Height and width of a latent frame (`denoiser.latent_hw`).
    let latentSize: Int

    init(latentChannels: Int, channels: Int, outDim: Int, normEpsilon: Float, latentSize: Int) {
        self.latentChannels = latentChannels
        self.channels = channels
        self.outDim = outDim
        self.normEpsilon = normEpsilon
        self.latentSize = latentSize
    }

    init(folder: ModelFolder) throws {
        let cfg = try folder.section("descriptor")
        func read<T>(_ key: String, _ get: (String) throws -> T) throws -> T {
            do { return try get(key) } catch { throw NodeError("\(folder.path)/config.json descriptor.\(key): \(error)") }
        }
        latentChannels = try read("latent_channels", cfg.int)
        channels = try read("channels", cfg.int)
        outDim = try read("out_dim", cfg.int)
        normEpsilon = Float(try read("norm_eps", cfg.double))
        let denoiser = try folder.section("denoiser")
        do { latentSize = try denoiser.int("latent_hw") } catch {
            throw NodeError("\(folder.path)/config.json denoiser.latent_hw (the latent frame size the descriptor reads): \(error)")
        }
        guard latentChannels > 0, channels > 0, outDim > 0, latentSize > 0 else {
            throw NodeError("\(folder.path)/config.json descriptor: latent_channels \(latentChannels), channels \(channels), out_dim \(outDim) and denoiser.latent_hw \(latentSize) must all be positive")
        }
    }

    /// Side of the feature map after conv2 and conv3 (3x3, stride 2, pad 1 each): 8 -> 4 -> 2.
    var featureSize: Int {
        func halved(_ s: Int) -> Int { (s - 1) / 2 + 1 }
        return halved(halved(latentSize))
    }

    /// Inputs of `fc`: conv3's 2c channels over the final feature map, flattened (channel, y, x).
    var features: Int { 2 * channels * featureSize * featureSize }

    /// Summands along the path to one descriptor value, for a parity test's rounding budget: each 3x3
    /// convolution (9·C_in + bias), `fc` (+ bias), and the squared norm.
    var reductionLength: Int {
        (9 * latentChannels + 1) + (9 * channels + 1) + (9 * channels + 1) + (features + 1) + outDim
    }
}

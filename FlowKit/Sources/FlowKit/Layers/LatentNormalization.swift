/// z = zn * std + mean per channel: the denoiser works on normalised latents, the VAE on raw ones. The
/// statistics are the model's (`latent_mean`, `latent_std` in its config.json section), so every family
/// that moves latents between the two spaces (denoiser, memory, reward) reads them the same way.
public struct LatentNormalization: Sendable {
    public let mean: [Float]
    public let std: [Float]

    public init(mean: [Float], std: [Float]) {
        precondition(mean.count == std.count, "LatentNormalization: \(mean.count) means vs \(std.count) stds")
        self.mean = mean
        self.std = std
    }

    /// From a model's config section (`denoiser`, `drafter`).
    public init(section: [String: Any]) throws {
        let mean = try section.floats("latent_mean"), std = try section.floats("latent_std")
        guard mean.count == std.count, !mean.isEmpty else {
            throw NodeError("config.json: latent_mean has \(mean.count) values, latent_std \(std.count)")
        }
        self.init(mean: mean, std: std)
    }

    /// zn = (z - mean) / std: VAE latents into the denoiser's space.
    public func normalize(_ z: Tensor) -> Tensor {
        perChannel(z) { v, ch in (v - mean[ch]) / std[ch] }
    }

    public func denormalize(_ zn: Tensor) -> Tensor {
        perChannel(zn) { v, ch in v * std[ch] + mean[ch] }
    }

    /// Applies `f` to every value of a [F, C, H, W] tensor with the value's channel.
    private func perChannel(_ x: Tensor, _ f: (Float, Int) -> Float) -> Tensor {
        let c = x.shape[1], plane = x.shape[2] * x.shape[3]
        precondition(c == mean.count, "LatentNormalization: \(c) channels, statistics for \(mean.count)")
        return Tensor(shape: x.shape) { out in
            x.withUnsafeFloats { src in
                for i in 0..<out.count { out[i] = f(src[i], (i / plane) % c) }
            }
        }
    }
}

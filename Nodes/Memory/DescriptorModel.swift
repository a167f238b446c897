import FlowKit

/// The world-tiny retrieval descriptor (Training/MODEL_FORMAT.md §3, numpy reference `descriptor_forward` in
/// Training/reference.py): a normalised latent frame [C, H, W] -> a unit vector, so the similarity of two
/// frames is a dot product. LongLive-RAG ranks evicted frames by it.
public struct DescriptorModel: Sendable {
    let config: DescriptorConfig
    let conv1: Conv2d
    let conv2: Conv2d
    let conv3: Conv2d
    let fc: Linear

    public init(folder: ModelFolder) throws {
        let config = try DescriptorConfig(folder: folder)
        self.config = config
        let w = try folder.weights(try folder.section("descriptor"), name: "descriptor")
        let c = config.channels
        conv1 = try Conv2d(w, "conv1", out: c, in: config.latentChannels)
        conv2 = try Conv2d(w, "conv2", out: c, in: c, stride: 2)
        conv3 = try Conv2d(w, "conv3", out: 2 * c, in: c, stride: 2)
        fc = Linear(weight: try w.tensor("fc.weight", [config.outDim, config.features]),
                    bias: try w.tensor("fc.bias", [config.outDim]))
    }

    /// Latent frames [N, C, H, W] (normalised, as the denoiser makes them) -> unit rows [N, outDim].
    public func descriptors(_ latents: Tensor) throws -> Tensor {
        let c = config.latentChannels, s = config.latentSize
        guard latents.rank == 4, latents.shape[1] == c, latents.shape[2] == s, latents.shape[3] == s else {
            throw NodeError("descriptor: latents of shape \(latents.shape), expected [N, \(c), \(s), \(s)] (normalised latent frames of this model)")
        }
        let n = latents.shape[0]
        var h = Kernels.silu(conv1(latents.contiguous()))
        h = Kernels.silu(conv2(h))
        h = Kernels.silu(conv3(h))
        return unitRows(fc(h.contiguous().reshaped([n, config.features])), epsilon: config.normEpsilon)
    }

    /// One latent frame [C, H, W] -> its descriptor.
    public func descriptor(_ latent: Tensor) throws -> [Float] {
        guard latent.rank == 3 else {
            throw NodeError("descriptor: a latent frame of shape \(latent.shape), expected [\(config.latentChannels), \(config.latentSize), \(config.latentSize)]")
        }
        return try descriptors(latent.contiguous().reshaped([1] + latent.shape)).toArray()
    }
}

import FlowKit

/// The denoiser's hyper-parameters and sampler defaults, from config.json `denoiser` (or `drafter`).
struct DiTConfig: Sendable {
    let dim: Int
    let depth: Int
    let heads: Int
    let headDim: Int
    let mlpDim: Int
    let latentChannels: Int
    let latentSize: Int
    let patch: Int
    let textDim: Int
    let freqDim: Int
    /// Channels of head_dim given to the (t, y, x) rotary axes.
    let ropeAxes: [Int]
    let ropeTheta: Double
    let normEps: Float
    /// world-tiny v2: the prompt's sentence vector conditions adaLN next to the timestep (`pool_fc1`,
    /// `pool_fc2`). Absent in config.json means off: the shipped model.
    let pooledText: Bool
    let latentNormalization: LatentNormalization
    let sampler: SamplerDefaults

    struct SamplerDefaults: Sendable {
        let steps: [Int]
        let shift: Double
        let sinkFrames: Int
        let windowFrames: Int
        let blockFrames: Int
        let maxTrainedPosition: Int
        /// Classifier-free guidance scale the model was measured with (1: none).
        let guidance: Double
    }

    var grid: Int { latentSize / patch }
    var tokensPerFrame: Int { grid * grid }
    var patchDim: Int { latentChannels * patch * patch }

    init(_ c: [String: Any]) throws {
        dim = try c.int("dim")
        depth = try c.int("depth")
        heads = try c.int("heads")
        headDim = try c.int("head_dim")
        mlpDim = try c.int("mlp_dim")
        latentChannels = try c.int("latent_channels")
        latentSize = try c.int("latent_hw")
        patch = try c.int("patch")
        textDim = try c.int("text_dim")
        freqDim = try c.int("freq_dim")
        ropeAxes = try c.ints("rope_axes")
        ropeTheta = try c.double("rope_theta")
        normEps = Float((try? c.double("norm_eps")) ?? 1e-6)
        switch c["pooled_text"] {
        case nil: pooledText = false
        case let on as Bool: pooledText = on
        case let other?: throw NodeError("config.json: 'pooled_text' must be true or false, got \(other)")
        }
        latentNormalization = try LatentNormalization(section: c)
        guard heads * headDim == dim else { throw NodeError("config.json: heads \(heads) x head_dim \(headDim) != dim \(dim)") }
        guard ropeAxes.count == 3, ropeAxes.reduce(0, +) == headDim, ropeAxes.allSatisfy({ $0 % 2 == 0 }) else {
            throw NodeError("config.json: rope_axes \(ropeAxes) must be 3 even sizes summing to head_dim \(headDim)")
        }
        guard latentNormalization.mean.count == latentChannels else {
            throw NodeError("config.json: latent_mean/latent_std must have \(latentChannels) values")
        }
        guard let s = c["sampler"] as? [String: Any] else { throw NodeError("config.json: denoiser has no 'sampler'") }
        sampler = SamplerDefaults(steps: try s.ints("steps"), shift: try s.double("shift"),
                                  sinkFrames: try s.int("sink_frames"), windowFrames: try s.int("window_frames"),
                                  blockFrames: try s.int("block_frames"),
                                  maxTrainedPosition: (try? s.int("max_trained_position")) ?? Int.max,
                                  guidance: (try? s.double("guidance")) ?? 1)
    }
}

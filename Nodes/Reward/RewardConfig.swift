import FlowKit

/// The `reward` entry of config.json: the shapes of the scorer and which GELU its text head was trained with.
struct RewardConfig: Sendable {
    /// Frames per scored window; they are stacked as channels (channel = frame·3 + rgb).
    let frames: Int
    /// Widths of the four stride-2 convolutions.
    let channels: [Int]
    /// Width of the joint embedding space.
    let dim: Int
    /// Width of the text encoder's token states (MiniLM: 384).
    let textDim: Int
    /// Added to the squared norm before the square root of the L2 normalisation (reference.py `l2n`).
    let normEpsilon: Float
    /// The export records it (`gelu: tanh`), since a GELU of the other form scores differently.
    let gelu: GELUApproximation
    /// Frame size from the world entry: four stride-2 convolutions take it to 1/16.
    let height: Int
    let width: Int

    init(folder: ModelFolder) throws {
        let cfg = try folder.section("reward")
        frames = try cfg.int("frames")
        channels = try cfg.ints("channels")
        guard channels.count == 4 else { throw NodeError("config.json reward.channels: expected 4 values, got \(channels)") }
        dim = try cfg.int("dim")
        textDim = try cfg.int("text_dim")
        normEpsilon = Float(try cfg.double("norm_eps"))
        switch cfg["gelu"] as? String ?? "tanh" {     // models.py's gelu is the tanh form
        case "tanh": gelu = .tanh
        case "erf": gelu = .erf
        case let other: throw NodeError("config.json reward.gelu: '\(other)' is neither 'tanh' nor 'erf'")
        }
        guard let world = folder.config["world"] as? [String: Any] else { throw NodeError("config.json has no 'world' entry") }
        height = try world.int("height")
        width = try world.int("width")
        guard height % 16 == 0, width % 16 == 0 else {
            throw NodeError("config.json world: \(width)x\(height) frames do not halve four times")
        }
    }

    /// The image features `img_fc` reads: the last convolution's channels at 1/16 of the frame size.
    var imageFeatures: Int { channels[3] * (height / 16) * (width / 16) }

    /// Summands along the path to one logit, for a parity test's rounding budget: each 3×3 convolution
    /// (9·C_in + bias), `img_fc`, the image norm, the token mean, both text layers, the text norm, the dot
    /// product, and the scale and bias.
    func reductionLength(textTokens: Int) -> Int {
        let inputs = [3 * frames] + channels.dropLast()
        let convs = inputs.map { 9 * $0 + 1 }.reduce(0, +)
        let image = convs + imageFeatures + 1 + dim
        let text = textTokens + textDim + 1 + dim + 1 + dim
        return image + text + dim + 2
    }
}

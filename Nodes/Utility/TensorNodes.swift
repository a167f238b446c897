import FlowKit

/// Emits zero-filled latent blocks of a declared shape; with `TensorMeanNode`, it exercises shape checks.
public final class TensorSourceNode: Node {
    public static let contract = NodeContract(
        type: "tensor.source",
        summary: "Emits count latent blocks [frames, channels, height, width] of zeros.",
        outputs: [PortSpec("latents", LatentBlock.self)],
        params: [
            ParamSpec("count", .int, default: .int(4), range: 0...1e9, doc: "blocks to emit"),
            ParamSpec("frames", .int, default: .int(3), range: 1...1024, doc: "latent frames per block (F)"),
            ParamSpec("channels", .int, default: .int(16), range: 1...4096, doc: "channels (C)"),
            ParamSpec("height", .int, default: .int(8), range: 1...4096, doc: "latent height (H)"),
            ParamSpec("width", .int, default: .int(8), range: 1...4096, doc: "latent width (W)"),
        ])

    public static func shapeBindings(_ p: Params) -> ShapeBindings {
        ShapeBindings(p, ["F": "frames", "C": "channels", "H": "height", "W": "width"])
    }

    private let count: Int
    private let shape: [Int]
    private var emitted = 0

    public init(context: NodeContext) throws {
        let p = context.params
        count = p.int("count")
        shape = [p.int("frames"), p.int("channels"), p.int("height"), p.int("width")]
    }

    public func produce(_ io: NodeIO) throws -> Production {
        guard emitted < count else { return .done }
        let block = LatentBlock(latents: Tensor(zeros: shape), firstLatentFrame: emitted * shape[0], promptGeneration: 0)
        try io.emit("latents", Packet(position: emitted, payload: block))
        emitted += 1
        return .more
    }
}

/// Reduces each latent block to its mean; its declared channel count must match the producer's.
public final class TensorMeanNode: Node {
    public static let contract = NodeContract(
        type: "tensor.mean",
        summary: "Mean of each latent block; declares the channel count it expects.",
        inputs: [PortSpec("latents", LatentBlock.self)],
        outputs: [PortSpec("mean", Float.self)],
        params: [ParamSpec("channels", .int, default: .int(16), range: 1...4096, doc: "expected channels (C)")])

    public static func shapeBindings(_ p: Params) -> ShapeBindings { ShapeBindings(p, ["C": "channels"]) }

    public init(context: NodeContext) throws {}

    public func process(_ packet: Packet, port: String, _ io: NodeIO) throws {
        let block: LatentBlock = try packet.value()
        let mean = block.latents.withUnsafeFloats { v in v.isEmpty ? 0 : v.reduce(0, +) / Float(v.count) }
        try io.emit("mean", Packet(position: packet.position, payload: mean))
    }
}

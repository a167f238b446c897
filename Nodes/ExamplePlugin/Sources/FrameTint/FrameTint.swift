import FlowKit

/// Mixes every frame towards a colour: out = (1 - amount) * in + amount * colour.
public final class FrameTint: Node {
    public static let contract = NodeContract(
        type: "frame.tint",
        summary: "Tints RGB frames towards a colour (example plugin).",
        inputs: [PortSpec("frames", FrameBatch.self)],
        outputs: [PortSpec("frames", FrameBatch.self)],
        params: [
            ParamSpec("color", .list(.int), default: .list([.int(255), .int(0), .int(0)]), range: 0...255, doc: "RGB, 0-255"),
            ParamSpec("amount", .float, default: .float(0.5), range: 0...1, doc: "0 keeps the frame, 1 is solid colour"),
        ])

    public static func check(_ params: Params) -> [ParamProblem] {
        params.ints("color").count == 3 ? [] : [ParamProblem(param: "color", "needs exactly three values: [r, g, b]")]
    }

    private let color: [Float]
    private let amount: Float

    public init(context: NodeContext) throws {
        color = context.params.ints("color").map(Float.init)
        amount = Float(context.params.double("amount"))
    }

    public func process(_ packet: Packet, port: String, _ io: NodeIO) throws {
        var batch: FrameBatch = try packet.value()
        let keep = 1 - amount
        let add = color.map { $0 * amount }
        batch.rgb.withUnsafeMutableBufferPointer { px in
            for i in stride(from: 0, to: px.count, by: 3) {
                for c in 0..<3 { px[i + c] = UInt8(min(255, (Float(px[i + c]) * keep + add[c]).rounded())) }
            }
        }
        try io.emit("frames", Packet(position: packet.position, payload: batch, meta: packet.meta))
    }
}

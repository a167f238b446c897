import FlowKit

/// A test-pattern video source: a square crossing a gradient, one `FrameBatch` per packet.
/// Lets frame filters, encoders and plugins run without a model.
public final class FramesPatternNode: Node {
    public static let contract = NodeContract(
        type: "frames.pattern",
        summary: "Test pattern: a white square moving over a colour gradient, in batches of frames.",
        outputs: [PortSpec("frames", FrameBatch.self, doc: "RGB frames; position = batch index")],
        params: [
            ParamSpec("frames", .int, default: .int(48), range: 0...1e9, doc: "frames before end of stream"),
            ParamSpec("batch", .int, default: .int(4), range: 1...1024, doc: "frames per packet (N)"),
            ParamSpec("width", .int, default: .int(64), range: 8...8192, doc: "frame width (W)"),
            ParamSpec("height", .int, default: .int(64), range: 8...8192, doc: "frame height (H)"),
            ParamSpec("fps", .float, default: .float(16), range: 1...1000, doc: "frame rate carried with the frames"),
        ])

    public static func shapeBindings(_ p: Params) -> ShapeBindings {
        ShapeBindings(p, ["N": "batch", "H": "height", "W": "width"])
    }

    private let total, batch, width, height: Int
    private let fps: Double
    private var next = 0

    public init(context: NodeContext) throws {
        let p = context.params
        total = p.int("frames"); batch = p.int("batch"); width = p.int("width"); height = p.int("height")
        fps = p.double("fps")
    }

    public func produce(_ io: NodeIO) throws -> Production {
        guard next < total else { return .done }
        let n = min(batch, total - next)
        var rgb = [UInt8](repeating: 0, count: n * width * height * 3)
        let side = max(2, min(width, height) / 4)
        for f in 0..<n {
            let t = next + f
            let x0 = (t * 2) % max(1, width - side), y0 = (height - side) / 2
            for y in 0..<height {
                for x in 0..<width {
                    let i = ((f * height + y) * width + x) * 3
                    let inSquare = x >= x0 && x < x0 + side && y >= y0 && y < y0 + side
                    rgb[i] = inSquare ? 255 : UInt8(x * 255 / width)
                    rgb[i + 1] = inSquare ? 255 : UInt8(y * 255 / height)
                    rgb[i + 2] = inSquare ? 255 : 96
                }
            }
        }
        try io.emit("frames", Packet(position: next / batch, payload: FrameBatch(width: width, height: height, firstFrame: next, fps: fps, rgb: rgb)))
        next += n
        return next < total ? .more : .done
    }
}

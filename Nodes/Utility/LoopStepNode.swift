import FlowKit

/// One turn of a feedback loop: on the seed or a packet coming back, emits the next position,
/// and ends the stream after `iterations` turns. It shows how an autoregressive node closes its loop.
public final class LoopStepNode: Node {
    public static let contract = NodeContract(
        type: "loop.step",
        summary: "Advances a feedback loop one step per packet; ends after the given iterations.",
        inputs: [PortSpec("back", .any, doc: "the loop's feedback edge (seeded by the compiler)")],
        outputs: [PortSpec("next", Int.self, doc: "0, 1, … one per turn")],
        params: [ParamSpec("iterations", .int, default: .int(10), range: 1...1e9, doc: "turns before end of stream")])

    private let iterations: Int
    private var turn = 0

    public init(context: NodeContext) throws { iterations = context.params.int("iterations") }

    public func process(_ packet: Packet, port: String, _ io: NodeIO) throws {
        try io.emit("next", Packet(position: turn, payload: turn))
        turn += 1
        if turn >= iterations { io.endStream() }
    }
}

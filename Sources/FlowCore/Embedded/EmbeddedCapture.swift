import FlowKit

/// The sink an embedded graph puts on every captured output: it keeps the packets themselves.
final class EmbeddedCapture: Node {
    static let contract = NodeContract(
        type: "embedded.capture",
        summary: "Keeps every packet it receives (EmbeddedGraph's capture of an output)",
        inputs: [PortSpec("in", .any, doc: "anything")])

    private(set) var packets: [Packet] = []

    init(context: NodeContext) throws {}

    func process(_ packet: Packet, port: String, _ io: NodeIO) throws { packets.append(packet) }
}

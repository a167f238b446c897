import FlowKit

/// The producer's side of an edge to another rank: takes the edge's packets and sends each once the
/// consumer's rank has room for it (a credit), so a full queue there blocks the producer here.
final class RankSendNode: Node {
    static let contract = NodeContract(
        type: "rank.send", summary: "Sends an edge's packets to the consumer's MPI rank, one credit each (inserted by the compiler).",
        inputs: [PortSpec("in", .any, doc: "the edge's packets")])

    private let links: RankLinks?
    private let edge: Int

    init(links: RankLinks, edge: Int) {
        self.links = links
        self.edge = edge
    }

    required init(context: NodeContext) throws {
        throw NodeError("rank.send is inserted by the compiler on an edge between ranks; a graph cannot declare it")
    }

    func process(_ packet: Packet, port: String, _ io: NodeIO) throws {
        guard let waited = try links?.send(packet, edge: edge) else { return }
        (io as? NodeRunner)?.noteBlockedOnOutput(waited)
    }

    // Always runs, after an error too, so the consumer's rank always sees the stream end.
    func finish(_ io: NodeIO) throws { links?.sendEnd(edge: edge) }
}

/// The consumer's side: emits what arrives from the producer's rank into the edge's queue here, and returns a
/// credit once the queue took it. It stops only at the producer's end of stream (see `DrainingSource`).
final class RankReceiveNode: Node, DrainingSource {
    static let contract = NodeContract(
        type: "rank.receive", summary: "Emits an edge's packets as they arrive from the producer's MPI rank (inserted by the compiler).",
        outputs: [PortSpec("out", .any, doc: "the edge's packets")])

    private let links: RankLinks?
    private let edge: Int

    init(links: RankLinks, edge: Int) {
        self.links = links
        self.edge = edge
    }

    required init(context: NodeContext) throws {
        throw NodeError("rank.receive is inserted by the compiler on an edge between ranks; a graph cannot declare it")
    }

    func produce(_ io: NodeIO) throws -> Production {
        guard let links else { return .done }
        let t0 = monotonicNanos()
        let next = links.next(edge: edge)
        (io as? NodeRunner)?.noteWaitingForInput(monotonicNanos() - t0)
        guard let entry = next else { return .done }
        switch entry {
        case .end:
            return .done
        case .data(let header, let payload):
            let packet = try EdgeCodec.decode(header, payload: payload)
            try io.emit("out", packet)
            links.returnCredit(edge: edge)
            return .more
        }
    }

    func finish(_ io: NodeIO) throws { links?.closeInbound(edge: edge) }
}

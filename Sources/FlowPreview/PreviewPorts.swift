import FlowCore

/// Which output ports the preview watches, chosen from the compiled graph so `--serve` works on any
/// graph: the frames that go to a sink (the video encoder's input), the latent blocks that became
/// those frames (block numbers and generation time), and every prompt output (the history).
struct PreviewPorts: Sendable, Equatable {
    struct Port: Sendable, Equatable {
        var node: String
        var port: String
    }

    var frames: Port?
    var latents: Port?
    var prompts: [Port] = []

    static func choose(in graph: CompiledGraph) -> PreviewPorts {
        func ports(_ payload: String) -> [(node: Int, port: String)] {
            graph.nodes.flatMap { n in n.contract.outputs.filter { $0.payload?.name == payload }.map { (n.index, $0.name) } }
        }
        func consumers(_ node: Int, _ port: String) -> [Int] {
            graph.edges.filter { $0.from == node && $0.fromPort == port && !$0.feedback }.map(\.to)
        }
        // Frames: prefer a port feeding a sink (a node without outputs), then any connected one; the
        // last in graph order wins a tie, being furthest downstream as graphs are written.
        let frameCandidates = ports("FrameBatch").map { c -> (Int, Int, String) in
            let to = consumers(c.node, c.port)
            let score = to.contains { graph.nodes[$0].contract.outputs.isEmpty } ? 2 : (to.isEmpty ? 0 : 1)
            return (score, c.node, c.port)
        }
        var result = PreviewPorts()
        if let best = frameCandidates.max(by: { ($0.0, $0.1) < ($1.0, $1.1) }) {
            result.frames = Port(node: graph.nodes[best.1].id, port: best.2)
            // Latents: the block port that feeds the node making those frames.
            if let latent = ports("LatentBlock").last(where: { consumers($0.node, $0.port).contains(best.1) }) {
                result.latents = Port(node: graph.nodes[latent.node].id, port: latent.port)
            }
        }
        result.prompts = (ports("Prompt") + ports("Array<Prompt>")).map { Port(node: graph.nodes[$0.node].id, port: $0.port) }
        return result
    }
}

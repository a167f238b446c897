import FlowKit

extension VAEDecoder {
    /// The decoder a node's params name: `model` (relative to the graph file) at the node's `precision`.
    /// vae.decoder and vae.speculative_decoder take the same two params.
    init(nodeContext context: NodeContext) throws {
        let folder = try ModelFolder.locate(context.params.string("model"), baseDirectory: context.baseDirectory)
        try self.init(folder: folder, precision: context.params.precision)
    }
}

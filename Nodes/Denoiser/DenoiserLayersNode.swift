import Foundation
import FlowKit

/// `denoiser.layers`: the last layers and the output head of a denoiser split by layers. `denoiser.block` with
/// `layers: [0, k]` runs each model call's first k layers and sends the hidden state here (another queue, or
/// another MPI rank with `rank:`); this runs layers k... and answers with the velocity, or for a t = 0 pass with
/// its layers' K/V, which the cache keeps. It keeps the prompts' cross-attention K/V and the block's cached
/// prefix the front sends once.
public final class DenoiserLayersNode: Node {
    public static let contract = NodeContract(
        type: "denoiser.layers",
        summary: "The last layers and output head of a denoiser.block split by layers (its `layers` param); each call answered in order",
        inputs: [PortSpec("calls", LayerRequest.self, doc: "hidden states after denoiser.block's layers, one per model call")],
        outputs: [PortSpec("replies", LayerReply.self, doc: "per call: the velocity, or for a t = 0 pass the K/V of these layers (back to denoiser.block, a feedback edge)")],
        params: [
            ParamSpec("model", .path, default: .string("Models/world-tiny"), doc: "world-tiny folder: the same model as the denoiser.block"),
            ParamSpec("weights", .choice(["denoiser", "drafter"]), default: .string("denoiser"), doc: "which DiT of the folder"),
            ParamSpec("layers", .list(.int), default: .list([]), range: 0...10_000,
                      doc: "[first, end): the layers run here, ending at the model's depth (denoiser.block's `layers` ends where these start)"),
        ],
        compute: .heavy)

    public static func check(_ params: Params) -> [ParamProblem] {
        var problems = ModelFolder.check(params)
        let layers = params.ints("layers")
        if layers.count != 2 || layers[0] >= layers[1] {
            problems.append(ParamProblem(param: "layers", "write [first, end), e.g. [3, 6]: the layers after denoiser.block's, up to the model's depth"))
        }
        return problems
    }

    private let model: DiTModel
    private let range: Range<Int>
    private var texts: [Int: [LayerKV]] = [:]
    private var prefix: [LayerKV]?
    private var expectedCall = 1

    public init(context: NodeContext) throws {
        let folder = try ModelFolder.locate(context.params.string("model"), baseDirectory: context.baseDirectory)
        model = try DiTModel(folder: folder, section: context.params.string("weights"))
        let layers = context.params.ints("layers")
        let depth = model.config.depth
        guard layers.count == 2, layers[0] > 0, layers[1] == depth, layers[0] < depth else {
            throw NodeError("layers \(layers): this node runs the model's last layers and its output head, so write [k, \(depth)] with 0 < k < \(depth)")
        }
        range = layers[0]..<layers[1]
    }

    public func process(_ packet: Packet, port: String, _ io: NodeIO) throws {
        let r = try packet.value(as: LayerRequest.self)
        guard r.call == expectedCall else { throw NodeError("call \(r.call) arrived, call \(expectedCall) was next: calls must arrive in order") }
        expectedCall += 1
        if !r.textKeys.isEmpty {
            guard r.textKeys.count == range.count, r.textValues.count == range.count else {
                throw NodeError("denoiser.block sent cross-attention K/V for its last \(r.textKeys.count) layers, but this node runs layers \(range.lowerBound)..<\(range.upperBound): its `layers` must start where denoiser.block's end")
            }
            texts[r.textKey] = zip(r.textKeys, r.textValues).map { LayerKV(keys: $0, values: $1) }
        }
        guard let text = texts[r.textKey] else { throw NodeError("call \(r.call) uses prompt key \(r.textKey), whose K/V never arrived") }
        if let keys = r.prefixKeys, let values = r.prefixValues {
            guard keys.isEmpty || (keys.count == range.count && values.count == range.count) else {
                throw NodeError("a call brought a prefix for \(keys.count) layers; this node runs \(range.count)")
            }
            prefix = keys.isEmpty ? nil : zip(keys, values).map { LayerKV(keys: $0, values: $1) }
        }
        let inputs = DiTModel.LayerInputs(positions: r.positions, rotaryPositions: r.rotaryPositions,
                                          mask: r.blockCausalFrames > 0 ? .blockCausal(blockFrames: r.blockCausalFrames) : .none,
                                          keysRotated: r.keysRotated)
        let (hidden, kv) = model.runLayers(range, DiTModel.Hidden(x: r.hidden, modulation: r.modulation), inputs: inputs, text: text, prefix: prefix)
        let reply = r.wantsVelocity
            ? LayerReply(block: r.block, call: r.call, velocity: model.head(hidden), keys: [], values: [])
            : LayerReply(block: r.block, call: r.call, velocity: nil, keys: kv.map(\.keys), values: kv.map(\.values))
        try io.emit("replies", Packet(position: packet.position, payload: reply))
    }
}

import Foundation
import FlowKit

/// `layers: [0, k]`: denoiser.block runs each model call's first k layers and denoiser.layers the rest
/// (LayerSplitFront). The replies come back on `behind`, a feedback edge; the block loop waits for each in turn.
extension DenoiserBlockNode {
    static func layerSplitProblems(_ params: Params) -> [ParamProblem] {
        guard params.isWritten("layers") else { return [] }
        let layers = params.ints("layers")
        var problems: [ParamProblem] = []
        if layers.count != 2 || layers[0] != 0 || layers[1] < 1 {
            problems.append(ParamProblem(param: "layers", "write [0, k]: this node runs the first k layers of each model call, denoiser.layers the rest"))
        }
        if isSearch(params) { problems.append(ParamProblem(param: "layers", "a search (candidates or beams) cannot be split by layers; run it whole")) }
        if params.string("role") != "generate" { problems.append(ParamProblem(param: "layers", "a speculative \(params.string("role"))er cannot be split by layers; use role: generate")) }
        if params.string("start") != "noise" { problems.append(ParamProblem(param: "layers", "video-to-video (start: latents) cannot be split by layers yet; use start: noise")) }
        return problems
    }

    /// The split the params ask for; nil for the whole model (no `layers`, or all of them).
    static func layerSplit(_ params: Params, sampler: BlockSampler) throws -> LayerSplitFront? {
        guard params.isWritten("layers") else { return nil }
        let layers = params.ints("layers"), depth = sampler.model.config.depth
        guard layers.count == 2, layers[0] == 0, layers[1] >= 1, layers[1] <= depth else {
            throw NodeError("layers \(layers): write [0, k] with 1 <= k <= \(depth) (the model's depth)")
        }
        return layers[1] == depth ? nil : LayerSplitFront(sampler: sampler, split: layers[1])
    }

    /// A reply outside a call is the compiler's seed of the feedback edge, or a protocol error.
    func receiveOutsideCall(_ packet: Packet) throws {
        if packet.payload is LoopSeed { return }
        throw NodeError("denoiser.layers answered call \((try? packet.value(as: LayerReply.self).call) ?? -1) while no call was waiting")
    }

    /// Sends calls on `ahead` and takes each reply off `behind` as it arrives. The node's queue is busy inside
    /// the block loop, so it polls its input queue rather than returning to the scheduler between calls.
    final class LayerLink: LayerSplitFront.Link {
        private let io: NodeIO
        /// Without a reply for this long the other half is taken to be gone (e.g. a run with --sequential, where
        /// replies wait until the block loop returns).
        static let patience: TimeInterval = 300

        init(_ io: NodeIO) { self.io = io }

        func send(_ request: LayerRequest) throws {
            try io.emit("ahead", Packet(position: request.block, payload: request))
        }

        func receive() throws -> LayerReply {
            let deadline = Date().addingTimeInterval(Self.patience)
            var pause: UInt32 = 10
            while true {
                for packet in io.takeQueued("behind", limit: 1) where !(packet.payload is LoopSeed) {
                    return try packet.value(as: LayerReply.self)
                }
                if io.isStopping { throw Cancellation() }
                guard Date() < deadline else {
                    throw NodeError("no reply from denoiser.layers for \(Int(Self.patience)) s (a layer split needs the concurrent scheduler, not --sequential)")
                }
                usleep(pause)
                pause = min(pause * 2, 500)
            }
        }
    }
}

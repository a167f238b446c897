import Foundation
import FlowKit

/// `noise.controller`: tags each input latent block with the timestep the denoiser re-noises it to,
/// from the block's motion (StreamDiffusionV2's motion-aware noise controller).
public final class NoiseControllerNode: Node {
    public static let contract = NodeContract(
        type: "noise.controller",
        summary: "Motion-aware start timestep per latent block for video-to-video (StreamDiffusionV2)",
        inputs: [PortSpec("latents", LatentBlock.self, doc: "LatentBlock from vae.encoder (raw VAE space)")],
        outputs: [PortSpec("latents", LatentBlock.self, doc: "the same LatentBlock with startTimestep set; position unchanged")],
        params: [
            ParamSpec("strength", .float, default: .float(0.7), range: 0.25...1.1,
                      doc: "initial noise scale: start timestep = 1000*scale - 100, 0.7 starts at 600 on still input; the lower bound keeps it above 0 under full motion"),
            ParamSpec("motion_norm", .float, default: .float(0.2), range: 0.000001...1000,
                      doc: "RMS latent frame difference that counts as full motion (d = 1)"),
        ])

    private var controller: MotionNoiseController
    private var starts: [Double] = []

    public init(context: NodeContext) throws {
        controller = MotionNoiseController(initial: context.params.double("strength"),
                                           motionNorm: context.params.double("motion_norm"))
    }

    public func process(_ packet: Packet, port: String, _ io: NodeIO) throws {
        var block = try packet.value(as: LatentBlock.self)
        let start = controller.startTimestep(for: block.latents)
        block.startTimestep = start
        starts.append(start)
        try io.emit("latents", Packet(position: packet.position, payload: block, meta: packet.meta))
    }

    public func finish(_ io: NodeIO) throws {
        guard let low = starts.min(), let high = starts.max() else { return }
        io.log(String(format: "%d block(s), start timestep %.1f...%.1f", starts.count, low, high))
    }
}

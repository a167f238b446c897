import Foundation
import FlowKit

/// A stand-in for `text.encoder` in tests: deterministic pseudo-random token states per prompt text,
/// so graph tests need neither MiniLM weights nor its run time.
public final class TextStubNode: Node, StatelessNode {
    public static let contract = NodeContract(
        type: "test.text_stub",
        summary: "Test stand-in for text.encoder: hashed pseudo-random token states",
        inputs: [PortSpec("prompt", Prompt.self)],
        outputs: [PortSpec("embedding", TextEmbedding.self)])

    public init(context: NodeContext) throws {}

    public static func embedding(_ prompt: Prompt) -> TextEmbedding {
        var state: UInt64 = 1469598103934665603
        for b in prompt.text.utf8 { state = (state ^ UInt64(b)) &* 1099511628211 }
        let tokens = Tensor(shape: [6, 384]) { out in
            for i in 0..<out.count {
                state = state &* 6364136223846793005 &+ 1442695040888963407
                out[i] = Float(Int(state >> 40) % 2001 - 1000) / 2000
            }
        }
        return TextEmbedding(text: prompt.text, generation: prompt.generation, startFrame: prompt.startFrame,
                             tokenIDs: [], tokenStates: tokens, sentence: Tensor(zeros: [384]), truncated: false,
                             mode: prompt.mode, nextStartFrame: prompt.nextStartFrame)
    }

    public func process(_ packet: Packet, port: String, _ io: NodeIO) throws {
        try io.emit("embedding", Packet(position: packet.position, payload: Self.embedding(try packet.value(as: Prompt.self)), meta: packet.meta))
    }
}

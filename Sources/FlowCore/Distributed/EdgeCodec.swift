import Foundation
import FlowKit

/// How a packet crosses ranks: its position and meta, its payload's scalars as named fields, its tensors raw.
/// Each payload type that may cross has a case here; the compiler refuses an edge between ranks whose port
/// kind is not in `crossingKinds`, so an unencodable payload is found before the run.
public enum EdgeCodec {
    /// Port kinds whose payloads have an encoding. `any` ports (pass-through nodes) are checked by the
    /// payload's Swift type when a packet is sent.
    public static let crossingKinds: Set<String> = ["embedding", "prompt", "latent", "frames", "int", "float", "layer_request",
                                                     "layer_reply", "any"]

    static func encode(_ packet: Packet, edge: Int) throws -> WireMessage {
        var header = EdgeHeader(kind: .data, edge: edge)
        header.position = packet.position
        header.meta = packet.meta
        var w = PayloadWriter()
        switch packet.payload {
        case let v as LatentBlock:
            header.payloadType = "LatentBlock"
            try w.tensor("latents", v.latents)
            w.int("first_latent_frame", v.firstLatentFrame)
            w.int("prompt_generation", v.promptGeneration)
            w.double("start_timestep", v.startTimestep)
            write(v.candidate, &w)
        case let v as FrameBatch:
            header.payloadType = "FrameBatch"
            w.bytes("rgb", v.rgb, shape: [v.count, v.height, v.width, 3])
            w.int("width", v.width)
            w.int("height", v.height)
            w.int("first_frame", v.firstFrame)
            w.double("fps", v.fps)
            w.int("prompt_generation", v.promptGeneration)
            write(v.candidate, &w)
        case let v as TextEmbedding:
            header.payloadType = "TextEmbedding"
            write(v.prompt, prefix: "", &w)
            w.int32s("token_ids", v.tokenIDs)
            try w.tensor("token_states", v.tokenStates)
            try w.tensor("sentence", v.sentence)
            w.bool("truncated", v.truncated)
        case let v as Prompt:
            header.payloadType = "Prompt"
            write(v, prefix: "", &w)
        case let v as [Prompt]:
            header.payloadType = "[Prompt]"
            w.int("count", v.count)
            for (i, p) in v.enumerated() { write(p, prefix: "\(i).", &w) }
        case let v as LayerRequest:
            header.payloadType = "LayerRequest"
            w.int("block", v.block)
            w.int("call", v.call)
            try w.tensor("hidden", v.hidden)
            try w.tensor("modulation", v.modulation)
            w.int32s("positions", v.positions.map { Int32($0) })
            w.int32s("rotary_positions", v.rotaryPositions.map { Int32($0) })
            w.int("block_causal_frames", v.blockCausalFrames)
            w.bool("keys_rotated", v.keysRotated)
            w.int("text_key", v.textKey)
            try writeList("text.k", v.textKeys, &w)
            try writeList("text.v", v.textValues, &w)
            if let keys = v.prefixKeys, let values = v.prefixValues {
                try writeList("prefix.k", keys, &w)
                try writeList("prefix.v", values, &w)
            }
            w.bool("wants_velocity", v.wantsVelocity)
        case let v as LayerReply:
            header.payloadType = "LayerReply"
            w.int("block", v.block)
            w.int("call", v.call)
            if let velocity = v.velocity { try w.tensor("velocity", velocity) }
            try writeList("k", v.keys, &w)
            try writeList("v", v.values, &w)
        case let v as Int:
            header.payloadType = "Int"
            w.int("value", v)
        case let v as Float:
            header.payloadType = "Float"
            w.double("value", Double(v))
        default:
            throw NodeError("a \(type(of: packet.payload)) cannot cross ranks (payloads that can: LatentBlock, FrameBatch, TextEmbedding, Prompt, Int, Float)")
        }
        header.fields = w.fields
        header.tensors = w.specs
        return WireMessage(header: header.packed(), payload: w.payload())
    }

    static func decode(_ header: EdgeHeader, payload: ByteBuffer?) throws -> Packet {
        let r = try PayloadReader(header: header, payload: payload)
        let value: any Sendable
        switch header.payloadType {
        case "LatentBlock":
            let latents = try r.tensor("latents")
            guard latents.rank == 4 else { throw NodeError("a LatentBlock from another rank has shape \(latents.shape), expected [F, C, H, W]") }
            value = LatentBlock(latents: latents, firstLatentFrame: try r.int("first_latent_frame"),
                                promptGeneration: try r.int("prompt_generation"), startTimestep: r.optionalDouble("start_timestep"),
                                candidate: try candidate(r))
        case "FrameBatch":
            let width = try r.int("width"), height = try r.int("height"), rgb = try r.bytes("rgb")
            guard width > 0, height > 0, rgb.count % (width * height * 3) == 0 else {
                throw NodeError("a FrameBatch from another rank has \(rgb.count) bytes, not whole \(width)x\(height) frames")
            }
            value = FrameBatch(width: width, height: height, firstFrame: try r.int("first_frame"), fps: try r.double("fps"), rgb: rgb,
                               promptGeneration: r.optionalInt("prompt_generation"), candidate: try candidate(r))
        case "TextEmbedding":
            let p = try prompt(r, prefix: "")
            value = TextEmbedding(text: p.text, generation: p.generation, startFrame: p.startFrame, tokenIDs: try r.int32s("token_ids"),
                                  tokenStates: try r.tensor("token_states"), sentence: try r.tensor("sentence"),
                                  truncated: try r.bool("truncated"), mode: p.mode, nextStartFrame: p.nextStartFrame)
        case "Prompt":
            value = try prompt(r, prefix: "")
        case "[Prompt]":
            value = try (0..<r.int("count")).map { try prompt(r, prefix: "\($0).") }
        case "LayerRequest":
            let hasPrefix = r.optionalInt("prefix.k.count") != nil
            value = LayerRequest(block: try r.int("block"), call: try r.int("call"), hidden: try r.tensor("hidden"),
                                 modulation: try r.tensor("modulation"), positions: try r.int32s("positions").map { Int($0) },
                                 rotaryPositions: try r.int32s("rotary_positions").map { Int($0) },
                                 blockCausalFrames: try r.int("block_causal_frames"), keysRotated: try r.bool("keys_rotated"),
                                 textKey: try r.int("text_key"), textKeys: try readList("text.k", r), textValues: try readList("text.v", r),
                                 prefixKeys: hasPrefix ? try readList("prefix.k", r) : nil,
                                 prefixValues: hasPrefix ? try readList("prefix.v", r) : nil,
                                 wantsVelocity: try r.bool("wants_velocity"))
        case "LayerReply":
            value = LayerReply(block: try r.int("block"), call: try r.int("call"),
                               velocity: r.hasTensor("velocity") ? try r.tensor("velocity") : nil,
                               keys: try readList("k", r), values: try readList("v", r))
        case "Int":
            value = try r.int("value")
        case "Float":
            value = Float(try r.double("value"))
        default:
            throw NodeError("another rank sent a payload of unknown type '\(header.payloadType)'")
        }
        return Packet(position: header.position, payload: value, meta: header.meta)
    }

    private static func writeList(_ name: String, _ tensors: [Tensor], _ w: inout PayloadWriter) throws {
        w.int(name + ".count", tensors.count)
        for (i, t) in tensors.enumerated() { try w.tensor("\(name).\(i)", t) }
    }

    private static func readList(_ name: String, _ r: PayloadReader) throws -> [Tensor] {
        try (0..<r.int(name + ".count")).map { try r.tensor("\(name).\($0)") }
    }

    private static func write(_ p: Prompt, prefix: String, _ w: inout PayloadWriter) {
        w.string(prefix + "text", p.text)
        w.int(prefix + "start_frame", p.startFrame)
        w.int(prefix + "generation", p.generation)
        w.string(prefix + "mode", p.mode.rawValue)
        w.int(prefix + "next_start_frame", p.nextStartFrame)
    }

    private static func prompt(_ r: PayloadReader, prefix: String) throws -> Prompt {
        let modeName = try r.string(prefix + "mode")
        guard let mode = Prompt.Mode(rawValue: modeName) else { throw NodeError("a prompt from another rank has unknown mode '\(modeName)'") }
        return Prompt(text: try r.string(prefix + "text"), startFrame: try r.int(prefix + "start_frame"),
                      generation: try r.int(prefix + "generation"), mode: mode, nextStartFrame: r.optionalInt(prefix + "next_start_frame"))
    }

    private static func write(_ c: Candidate?, _ w: inout PayloadWriter) {
        guard let c else { return }
        w.int("candidate.block", c.block)
        w.int("candidate.index", c.index)
        w.int("candidate.count", c.count)
        w.int("candidate.parent", c.parent)
    }

    private static func candidate(_ r: PayloadReader) throws -> Candidate? {
        guard let block = r.optionalInt("candidate.block") else { return nil }
        let index = try r.int("candidate.index"), count = try r.int("candidate.count")
        guard count >= 1, count <= Candidate.idStride, (0..<count).contains(index) else {
            throw NodeError("a candidate from another rank is index \(index) of \(count)")
        }
        return Candidate(block: block, index: index, count: count, parent: r.optionalInt("candidate.parent"))
    }
}

/// A packet as it crosses ranks, for tools that move packets themselves (Benchmarks/MPIBench): the same
/// encoding the send and receive nodes use.
public enum RankWire {
    public static func encode(_ packet: Packet, edge: Int = 0) throws -> WireMessage { try EdgeCodec.encode(packet, edge: edge) }

    public static func decode(_ message: WireMessage) throws -> Packet {
        try EdgeCodec.decode(EdgeHeader(unpacking: message.header), payload: message.payload)
    }
}

import Foundation
import XCTest
import FlowKit
@testable import FlowCore

/// Packets through the cross-rank encoding (protobuf-c header, raw tensor bytes) and back, without MPI.
final class EdgeCodecTests: XCTestCase {
    private func roundTrip(_ packet: Packet) throws -> Packet {
        let wire = try EdgeCodec.encode(packet, edge: 7)
        let header = try EdgeHeader(unpacking: wire.header)
        XCTAssertEqual(header.kind, .data)
        XCTAssertEqual(header.edge, 7)
        return try EdgeCodec.decode(header, payload: wire.payload)
    }

    private func ramp(_ shape: [Int]) -> Tensor {
        Tensor(shape: shape) { b in for i in b.indices { b[i] = Float(i) * 0.25 - 3 } }
    }

    func testLatentBlockKeepsEveryBitAndField() throws {
        let latents = ramp([3, 4, 5, 6])
        let candidate = Candidate(block: 2, index: 1, count: 3, parent: 65536)
        let sent = LatentBlock(latents: latents, firstLatentFrame: 9, promptGeneration: 2, startTimestep: 750, candidate: candidate)
        let back = try roundTrip(Packet(position: 3, payload: sent, meta: ["switch": "yes"]))
        XCTAssertEqual(back.position, 3)
        XCTAssertEqual(back.meta, ["switch": "yes"])
        let block = try back.value(as: LatentBlock.self)
        XCTAssertEqual(block.latents.shape, [3, 4, 5, 6])
        XCTAssertEqual(block.latents.toArray(), latents.toArray())
        XCTAssertEqual(block.firstLatentFrame, 9)
        XCTAssertEqual(block.promptGeneration, 2)
        XCTAssertEqual(block.startTimestep, 750)
        XCTAssertEqual(block.candidate, candidate)
        let plain = try roundTrip(Packet(position: 0, payload: LatentBlock(latents: latents, firstLatentFrame: 0, promptGeneration: 0)))
        XCTAssertNil(try plain.value(as: LatentBlock.self).startTimestep)
        XCTAssertNil(try plain.value(as: LatentBlock.self).candidate)
    }

    func testFramesEmbeddingsPromptsAndScalars() throws {
        let rgb = (0..<(2 * 4 * 6 * 3)).map { UInt8($0 % 251) }
        let frames = try roundTrip(Packet(position: 1, payload: FrameBatch(width: 6, height: 4, firstFrame: 12, fps: 16, rgb: rgb, promptGeneration: 1)))
            .value(as: FrameBatch.self)
        XCTAssertEqual(frames.rgb, rgb)
        XCTAssertEqual([frames.width, frames.height, frames.firstFrame, frames.count], [6, 4, 12, 2])
        XCTAssertEqual(frames.fps, 16)
        XCTAssertEqual(frames.promptGeneration, 1)

        let embedding = TextEmbedding(text: "a red circle ✓", generation: 4, startFrame: 48, tokenIDs: [101, 1037, 2417, 102],
                                      tokenStates: ramp([4, 384]), sentence: ramp([384]), truncated: true, mode: .live, nextStartFrame: 96)
        let e = try roundTrip(Packet(position: 0, payload: embedding)).value(as: TextEmbedding.self)
        XCTAssertEqual(e.prompt, embedding.prompt)
        XCTAssertEqual(e.tokenIDs, embedding.tokenIDs)
        XCTAssertEqual(e.tokenStates.toArray(), embedding.tokenStates.toArray())
        XCTAssertEqual(e.sentence.toArray(), embedding.sentence.toArray())
        XCTAssertTrue(e.truncated)

        let prompts = [Prompt(text: "one", startFrame: 0, generation: 1), Prompt(text: "two", startFrame: 12, generation: 2, mode: .live)]
        XCTAssertEqual(try roundTrip(Packet(position: 0, payload: prompts)).value(as: [Prompt].self), prompts)
        XCTAssertEqual(try roundTrip(Packet(position: 5, payload: 42)).value(as: Int.self), 42)
        XCTAssertEqual(try roundTrip(Packet(position: 5, payload: Float(0.1))).value(as: Float.self), 0.1)
    }

    /// The calls and replies of a denoiser split by layers: "same prefix as before" (nil) and "no prefix" (empty)
    /// stay apart, and every tensor keeps its bits.
    func testLayerCallsAndReplies() throws {
        for prefix in [nil, [], [ramp([3, 48, 64]), ramp([3, 32, 64])]] as [[Tensor]?] {
            let sent = LayerRequest(block: 4, call: 37, hidden: ramp([48, 192]), modulation: ramp([3, 192]), positions: [12, 13, 14],
                                    rotaryPositions: [3, 4, 5], blockCausalFrames: 0, keysRotated: false, textKey: -1,
                                    textKeys: [ramp([3, 9, 64])], textValues: [ramp([3, 9, 64])], prefixKeys: prefix, prefixValues: prefix,
                                    wantsVelocity: true)
            let r = try roundTrip(Packet(position: 4, payload: sent)).value(as: LayerRequest.self)
            XCTAssertEqual([r.block, r.call, r.blockCausalFrames, r.textKey], [4, 37, 0, -1])
            XCTAssertEqual(r.positions, [12, 13, 14])
            XCTAssertEqual(r.rotaryPositions, [3, 4, 5])
            XCTAssertFalse(r.keysRotated)
            XCTAssertTrue(r.wantsVelocity)
            XCTAssertEqual(r.hidden.toArray(), sent.hidden.toArray())
            XCTAssertEqual(r.modulation.toArray(), sent.modulation.toArray())
            XCTAssertEqual(r.textKeys.map { $0.toArray() }, sent.textKeys.map { $0.toArray() })
            XCTAssertEqual(r.prefixKeys?.map { $0.toArray() }, prefix?.map { $0.toArray() })
            XCTAssertEqual(r.prefixKeys?.map(\.shape), prefix?.map(\.shape))
        }
        let reply = try roundTrip(Packet(position: 4, payload: LayerReply(block: 4, call: 37, velocity: ramp([3, 16, 8, 8]), keys: [], values: [])))
            .value(as: LayerReply.self)
        XCTAssertEqual(reply.velocity?.toArray(), ramp([3, 16, 8, 8]).toArray())
        XCTAssertTrue(reply.keys.isEmpty)
        let kv = try roundTrip(Packet(position: 4, payload: LayerReply(block: 4, call: 38, velocity: nil, keys: [ramp([3, 48, 64])], values: [ramp([3, 48, 64])])))
            .value(as: LayerReply.self)
        XCTAssertNil(kv.velocity)
        XCTAssertEqual(kv.keys.map(\.shape), [[3, 48, 64]])
    }

    func testPayloadWithoutEncodingFailsNamingItsType() {
        XCTAssertThrowsError(try EdgeCodec.encode(Packet(position: 0, payload: KVContext.empty()), edge: 0)) { error in
            XCTAssertTrue("\(error)".hasPrefix("a KVContext cannot cross ranks"), "\(error)")
        }
    }

    func testControlMessagesCarryCreditsAndFailures() throws {
        var h = EdgeHeader(kind: .failure)
        h.failure = RunFailure(nodeId: "fail", nodeType: "compute.work", location: SourceLocation(file: "g.yaml", line: 6, column: 3),
                               message: "failing on purpose", rank: 2)
        let f = try XCTUnwrap(try EdgeHeader(unpacking: h.packed()).failure)
        XCTAssertEqual("\(f)", "g.yaml:6:3: error: node 'fail' (compute.work) on rank 2 failed: failing on purpose")
        var c = EdgeHeader(kind: .credit, edge: 3)
        c.credits = 2
        let back = try EdgeHeader(unpacking: c.packed())
        XCTAssertEqual([back.edge, back.credits], [3, 2])
        XCTAssertThrowsError(try EdgeHeader(unpacking: [0xFF, 0xFF, 0xFF]))
    }
}

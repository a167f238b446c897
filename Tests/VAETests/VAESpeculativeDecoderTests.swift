import XCTest
import FlowKit
@testable import VAENodes

/// vae.speculative_decoder alone: a draft is judged continuing the kept history, a kept draft's judged frames
/// are the output without another decode, a replaced draft leaves no trace in the cache, and a generated
/// block's pictures wait until the next draft has been judged.
final class VAESpeculativeDecoderTests: XCTestCase {
    /// Four different blocks of 3 latent frames from the fixture's latents, in VAE space.
    private func blocks() throws -> [Tensor] {
        let latents = try Fixtures.tensor(try Fixtures.file("vae_decode"), "latents")
        let a = latents.slice(dim: 0, 0..<3).contiguous(), b = latents.slice(dim: 0, 1..<4).contiguous()
        return [a, b, Kernels.scale(a, by: 0.5), Kernels.scale(b, by: -0.75)]
    }

    private func block(_ latents: Tensor, _ index: Int) -> LatentBlock {
        LatentBlock(latents: latents, firstLatentFrame: 3 * index, promptGeneration: 0)
    }

    /// What vae.decoder makes of `stream`, block after block.
    private func plainFrames(_ stream: [Tensor]) throws -> [FrameBatch] {
        let h = try NodeHarness(VAEDecoderNode.self, params: ["model": .string(Fixtures.modelFolder)])
        for (i, z) in stream.enumerated() { try h.feed("latents", position: i, block(z, i)) }
        return try h.payloads("frames", as: FrameBatch.self)
    }

    private func speculative() throws -> NodeHarness<VAESpeculativeDecoderNode> {
        try NodeHarness(VAESpeculativeDecoderNode.self, params: ["model": .string(Fixtures.modelFolder)])
    }

    /// Block 0 replaced, block 1 kept, block 2 replaced: the output is vae.decoder's over the target's blocks,
    /// bit for bit, each draft is judged as vae.decoder decodes it after the kept history, and only the
    /// replaced blocks are decoded a second time.
    func testTheOutputIsTheKeptHistoryDecodedOnce() throws {
        let z = try blocks()
        let drafts = [z[0], z[2], z[3]]
        let finals = [z[1], z[2], z[0]]
        let h = try speculative()
        try h.feed("final", position: 0, LoopSeed())
        for k in 0..<3 {
            try h.feed("draft", position: k, block(drafts[k], k))
            let judged = try h.payloads("drafts", as: FrameBatch.self)
            XCTAssertEqual(judged.count, k + 1, "block \(k)'s draft is judged at once")
            let expected = try plainFrames(Array(finals.prefix(k)) + [drafts[k]])[k]
            XCTAssertEqual(judged[k].rgb, expected.rgb, "block \(k)'s draft is judged after the kept history")
            XCTAssertEqual(judged[k].firstFrame, 12 * k)
            XCTAssertTrue(try h.payloads("frames", as: FrameBatch.self).count == k, "no frame before the target's block")
            try h.feed("final", position: k, block(finals[k], k))
        }
        XCTAssertEqual(h.node.pendingWork, ["block 2: generated, its frames not decoded yet"], "a generated block waits for the next draft")
        try h.close("draft")
        let shown = try h.payloads("frames", as: FrameBatch.self)
        let plain = try plainFrames(finals)
        XCTAssertEqual(shown.map(\.firstFrame), [0, 12, 24])
        for k in 0..<3 { XCTAssertEqual(shown[k].rgb, plain[k].rgb, "block \(k) differs from vae.decoder over the target's blocks") }
        XCTAssertNotEqual(shown[0].rgb, try h.payloads("drafts", as: FrameBatch.self)[0].rgb, "the fixture's blocks are distinct")
        XCTAssertEqual(h.node.reusedBlocks, 1)
        XCTAssertEqual(h.node.redecodedBlocks, 2)
        try h.finishClean()
        XCTAssertTrue(h.logLines.last?.contains("decoded 15 latent frames into 60 video frames for 36 shown") == true, h.logLines.joined())
    }

    /// judge: drafts judges each draft continuing the previous drafts (what two plain decoders did) and still shows
    /// the kept history; a kept draft is shown as judged only once the two histories agree on the cache again
    /// (the causal cache holds the last block and the latent frame before it, so two kept blocks after the
    /// replaced one).
    func testJudgingAlongTheDraftsReproducesTwoDecoders() throws {
        let z = try blocks()
        let drafts = [z[0], z[2], z[3], z[1]]
        let finals = [z[1], z[2], z[3], z[1]]
        let h = try NodeHarness(VAESpeculativeDecoderNode.self, params: ["model": .string(Fixtures.modelFolder), "judge": .string("drafts")])
        for k in 0..<4 {
            try h.feed("draft", position: k, block(drafts[k], k))
            try h.feed("final", position: k, block(finals[k], k))
        }
        let judged = try h.payloads("drafts", as: FrameBatch.self), shown = try h.payloads("frames", as: FrameBatch.self)
        let plainDrafts = try plainFrames(drafts), plainFinals = try plainFrames(finals)
        for k in 0..<4 {
            XCTAssertEqual(judged[k].rgb, plainDrafts[k].rgb, "block \(k) judged as one decoder over the drafts")
            XCTAssertEqual(shown[k].rgb, plainFinals[k].rgb, "block \(k) shown as one decoder over the target's blocks")
        }
        XCTAssertNotEqual(judged[1].rgb, shown[1].rgb, "block 1 is the same latents after another history")
        XCTAssertEqual(h.node.reusedBlocks, 1, "block 3 only")
        XCTAssertEqual(h.node.redecodedBlocks, 3)
        try h.finishClean()
    }

    /// A draft that arrives before the previous block is final waits for it: it must continue that block's frames.
    func testADraftWaitsForThePreviousBlockToBeFinal() throws {
        let z = try blocks()
        let h = try speculative()
        try h.feed("draft", position: 0, block(z[0], 0))
        try h.feed("draft", position: 1, block(z[2], 1))
        XCTAssertEqual(h.outputs("drafts").count, 1)
        XCTAssertEqual(h.node.pendingWork.count, 2, "\(h.node.pendingWork)")
        try h.feed("final", position: 0, block(z[1], 0))
        let judged = try h.payloads("drafts", as: FrameBatch.self)
        XCTAssertEqual(judged.count, 2)
        XCTAssertEqual(h.outputs("frames").count, 1, "the generated block 0 decoded once block 1's draft was judged")
        XCTAssertEqual(judged[1].rgb, try plainFrames([z[1], z[2]])[1].rgb)
        try h.feed("final", position: 1, block(z[2], 1))
        XCTAssertEqual(h.outputs("frames").count, 2)
        try h.finishClean()
    }

    /// A kept draft is recognised by its bits: latents equal as floats but not as bits (-0 for +0) are the
    /// target's own block, decoded again.
    func testOnlyTheSameBitsAreAKeptDraft() throws {
        let zeros = Tensor(zeros: [3, 16, 8, 8])
        XCTAssertTrue(VAESpeculativeDecoderNode.sameBits(zeros, Tensor(zeros: [3, 16, 8, 8])))
        XCTAssertFalse(VAESpeculativeDecoderNode.sameBits(zeros, Kernels.scale(zeros, by: -1)))
        XCTAssertFalse(VAESpeculativeDecoderNode.sameBits(zeros, Tensor(zeros: [2, 16, 8, 8])))
    }

    /// Streams that do not fit are errors naming the block.
    func testBlocksOutOfPlaceAreErrors() throws {
        let z = try blocks()
        let h = try speculative()
        try h.feed("draft", position: 0, block(z[0], 0))
        XCTAssertThrowsError(try h.feed("draft", position: 0, block(z[0], 0))) { XCTAssertTrue("\($0)".contains("arrived twice"), "\($0)") }
        try h.feed("final", position: 0, block(z[0], 0))
        XCTAssertThrowsError(try h.feed("final", position: 0, block(z[0], 0))) { XCTAssertTrue("\($0)".contains("after that block was final"), "\($0)") }
        XCTAssertThrowsError(try h.feed("draft", position: 1, block(z[0], 2))) { XCTAssertTrue("\($0)".contains("latent frame 6"), "\($0)") }
    }
}

import Foundation
import XCTest
import FlowKit
import FlowCore
@testable import DenoiserNodes
@testable import VAENodes

/// Graphs/speculative.yaml end to end on the shipped model (drafter, denoiser and reward are real).
extension GraphEndToEndTests {
    private var shipped: String { Self.repoRoot.appendingPathComponent("Models/world-tiny").path }

    private func target(_ run: GraphRun) throws -> DenoiserBlockNode {
        try XCTUnwrap(run.instance("spec/target") as? DenoiserBlockNode)
    }

    /// tau = 1 keeps no draft: the target generates every block from the same noise, so the video is
    /// longlive.yaml's, while the drafter's cache followed the target's blocks all along.
    func testSpeculativeDecodingThatKeepsNoDraftIsTheTargetAlone() throws {
        let (_, plain, plainVideo) = try run(graph: "longlive.yaml", edits: [], overrides: ["frames=36", "seed=2"], model: shipped)
        let (spec, outcome, video) = try run(graph: "speculative.yaml", edits: [], overrides: ["frames=36", "seed=2", "tau=1"], model: shipped)
        guard case .completed = plain, case .completed = outcome else { return XCTFail("runs: \(plain), \(outcome)") }
        XCTAssertEqual(try target(spec).speculation.keptSeconds.count, 0)
        XCTAssertEqual(try target(spec).speculation.generatedSeconds.count, 3)
        let a = try Self.decodedFrames(plainVideo), b = try Self.decodedFrames(video)
        XCTAssertEqual(a.count, 36 * 64 * 64 * 3)
        XCTAssertEqual(zip(a, b).filter { $0 != $1 }.count, 0, "tau = 1 changed the target's pictures")
    }

    /// tau = 0 keeps every draft after the first block: the target only writes K/V, and the drafter
    /// keeps its own K/V for them.
    func testSpeculativeDecodingThatKeepsEveryDraftWritesTheDrafts() throws {
        let (spec, outcome, video) = try run(graph: "speculative.yaml", edits: [], overrides: ["frames=48", "seed=2", "tau=0"], model: shipped)
        guard case .completed = outcome else { return XCTFail("run: \(outcome)") }
        let t = try target(spec)
        XCTAssertEqual(t.speculation.keptSeconds.count, 3, "blocks 1-3 kept from the drafter")
        XCTAssertEqual(t.speculation.generatedSeconds.count, 1, "the first block is always the target's")
        let draft = try XCTUnwrap(spec.instance("spec/draft") as? DenoiserBlockNode)
        XCTAssertEqual(draft.speculation.draftsKept, 2, "blocks 1 and 2 (the last block's K/V are never needed)")
        XCTAssertEqual(draft.speculation.draftsReplaced, 1, "block 0")
        XCTAssertEqual(try Self.frameCount(video), 48)
    }

    private typealias Decisions = [(block: Int, accepted: Bool, reward: Float?)]

    /// Runs speculative.yaml (its library's `judge` set), or with `decodeTwice` the graph as it was before
    /// vae.speculative_decoder, also writing its frames as PNGs (lossless); returns the run, the target's
    /// decisions and the PNG files' bytes.
    private func runSpeculative(decodeTwice: Bool = false, judge: String = "kept", _ overrides: [String]) throws -> (GraphRun, Decisions, [Data]) {
        var edits = [("    inputs: { text: text.embedding }",
                      "    inputs: { text: text.embedding }\n  png: { type: video.encoder, path: png/f_%05d.png, overwrite: true, inputs: { frames: spec.frames } }")]
        if decodeTwice {
            edits.append(("include: lib/speculative-video.yaml", "include: lib/speculative-video-decode-twice.yaml"))
        } else {
            edits.append(("precision: ${precision}, out: ${out} }", "precision: ${precision}, out: ${out}, judge: \(judge) }"))
        }
        let (run, outcome, video) = try run(graph: "speculative.yaml", edits: edits, overrides: overrides, model: shipped)
        guard case .completed = outcome else { throw NodeError("\(decodeTwice ? "decode-twice" : "judge: \(judge)") run: \(outcome)") }
        let folder = video.deletingLastPathComponent().appendingPathComponent("png")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        return (run, try target(run).speculation.decisions, try files.map { try Data(contentsOf: folder.appendingPathComponent($0)) })
    }

    private func log(_ label: String, _ a: Decisions, _ b: Decisions) {
        for (x, y) in zip(a, b) {
            print(String(format: "%@ block %d: decode twice %@ reward %.4f, once %@ reward %.4f", label as NSString, x.block,
                         x.accepted ? "kept" : "generated", x.reward ?? -1, y.accepted ? "kept" : "generated", y.reward ?? -1))
        }
    }

    /// The frames (PNG files) that differ.
    private func differing(_ a: [Data], _ b: [Data]) -> [Int] {
        XCTAssertEqual(a.count, b.count)
        return zip(a, b).enumerated().filter { $0.element.0 != $0.element.1 }.map(\.offset)
    }

    /// A verifier-scored run whose drafts are sometimes kept and sometimes not (the shipped drafter, seed 5).
    private var mixed: [String] { ["frames=96", "seed=5", "tau=0.1", "scorer=reward.verifier"] }

    /// One decoder judging along the drafts' history (`judge: drafts`) is the old graph of two decoders bit for
    /// bit: the same rewards, so the same decisions, and the same frames; it decodes a kept draft again only
    /// while the drafts' history and the kept one differ in the decoder's cache.
    func testOneDecoderJudgingAlongTheDraftsIsTheGraphOfTwoDecoders() throws {
        let (twiceRun, twice, twiceFrames) = try runSpeculative(decodeTwice: true, mixed)
        let (onceRun, once, onceFrames) = try runSpeculative(judge: "drafts", mixed)
        log("judge: drafts", twice, once)
        XCTAssertEqual(twice.map(\.block), Array(0..<8))
        XCTAssertEqual(twice.map(\.accepted), once.map(\.accepted))
        XCTAssertEqual(twice.map { $0.reward?.bitPattern }, once.map { $0.reward?.bitPattern }, "the judged frames differ")
        let kept = once.filter(\.accepted).count
        XCTAssertTrue(kept > 0 && kept < 7, "\(kept) of 8 kept: no mix")
        XCTAssertEqual(onceFrames.count, 96)
        XCTAssertEqual(differing(twiceFrames, onceFrames), [])
        let decoder = try XCTUnwrap(onceRun.instance("spec/vae") as? VAESpeculativeDecoderNode)
        XCTAssertEqual(decoder.reusedBlocks + decoder.redecodedBlocks, 8)
        XCTAssertLessThanOrEqual(decoder.reusedBlocks, kept)
        XCTAssertEqual(twiceRun.stats.nodes.filter { ["spec/judge", "spec/vae"].contains($0.id) }.map(\.itemsOut), [8, 8],
                       "the old graph decoded every block twice")
    }

    /// Judging along the kept history (the default) decodes every block once, and a second time only when the
    /// target generated it. It shows what the old graph showed wherever the two decided alike: both show the
    /// target's blocks decoded along the kept history. They decide alike unless a reward moved across tau: the
    /// old judge decoded a draft after the previous *drafts*, so after a generated block it scored frames nobody
    /// sees. The causal cache reaches back a block and a latent frame, so with the learned reward (which scores a
    /// block's windows alone) the rewards are equal whenever the two blocks before were kept drafts.
    func testJudgingAlongTheKeptHistoryDecodesEachBlockOnce() throws {
        for (label, overrides) in [("tau 0", ["frames=60", "seed=5", "tau=0"]), ("verifier tau 0.1", mixed)] {
            let (_, twice, twiceFrames) = try runSpeculative(decodeTwice: true, overrides)
            let (onceRun, once, onceFrames) = try runSpeculative(overrides)
            log(label, twice, once)
            let blocks = once.count
            let kept = once.filter(\.accepted).count
            let decoder = try XCTUnwrap(onceRun.instance("spec/vae") as? VAESpeculativeDecoderNode)
            XCTAssertEqual(decoder.reusedBlocks, kept, label)
            XCTAssertEqual(decoder.redecodedBlocks, blocks - kept, label)
            XCTAssertEqual(decoder.decodedLatentFrames, 3 * (2 * blocks - kept), "\(label): every draft, and the generated blocks again")
            // Frames agree up to the first block decided otherwise (a block's frames depend on the history before it).
            let agreeing = zip(twice, once).prefix { $0.accepted == $1.accepted }.count
            let differ = differing(twiceFrames, onceFrames)
            XCTAssertTrue(differ.allSatisfy { $0 >= 12 * agreeing }, "\(label): frames \(differ.prefix(12)) differ before block \(agreeing)")
            if label == "tau 0" {
                XCTAssertEqual(kept, blocks - 1, "every draft after the first block kept")
                XCTAssertEqual(differ, [])
                for k in 3..<blocks {
                    XCTAssertEqual(twice[k].reward?.bitPattern, once[k].reward?.bitPattern, "block \(k): the same frames judged, another reward")
                }
            } else {
                print("\(label): \(blocks - agreeing) of \(blocks) block(s) after the first decision that differs; frames \(differ.count) of \(onceFrames.count) differ")
            }
        }
    }

    /// On the sequential scheduler the target's last block reaches the decoder through the deferred feedback edge
    /// before that edge's end does, so the video is whole: the pipelined run's up to rounding (BLAS runs with
    /// another thread count, see testLongLiveGraphIsDeterministic; tau 0 keeps every decision the same).
    func testASequentialSpeculativeRunShowsEveryBlock() throws {
        let overrides = ["frames=36", "seed=5", "tau=0"]
        let (_, pipelined, pipelinedVideo) = try run(graph: "speculative.yaml", edits: [], overrides: overrides, model: shipped)
        let (run, sequential, video) = try run(graph: "speculative.yaml", edits: [], overrides: overrides, sequential: true, model: shipped)
        guard case .completed = pipelined, case .completed = sequential else { return XCTFail("runs: \(pipelined), \(sequential)") }
        let decoder = try XCTUnwrap(run.instance("spec/vae") as? VAESpeculativeDecoderNode)
        XCTAssertEqual(decoder.block, 3, "every block final")
        XCTAssertEqual(decoder.pendingWork, [])
        let a = try Self.decodedFrames(pipelinedVideo), b = try Self.decodedFrames(video)
        XCTAssertEqual(b.count, 36 * 64 * 64 * 3)
        XCTAssertEqual(a.count, b.count)
        let differing = zip(a, b).filter { $0 != $1 }.count
        XCTAssertLessThan(Double(differing), 0.01 * Double(a.count), "only rounding-level differences")
    }

    /// Bad speculative and search params are compile errors at their graph line.
    func testBadSearchAndSpeculativeParamsAreCompileErrors() throws {
        _ = Self.stubRegistered
        for (graph, param) in [("speculative.yaml", "tau=1.5"), ("best-of-n.yaml", "candidates=0"), ("best-of-n.yaml", "beams=0")] {
            let result = GraphCompiler(cores: 2).compile(file: Self.repoRoot.appendingPathComponent("Graphs/\(graph)").path, overrides: [param])
            XCTAssertNil(result.graph, "\(graph) with \(param) compiled")
            let text = result.renderer.render(result.diagnostics)
            XCTAssertTrue(text.contains("\(graph):"), "\(param): \(text)")
            XCTAssertFalse(text.contains("unknown node type"), text)
            XCTAssertTrue(text.contains(String(param.split(separator: "=")[0])), "\(param): \(text)")
        }
    }

    /// A drafter whose latents differ from the target's, or a reward model made for another text encoder
    /// width, is an error at compile time, before any weight loads.
    func testADrafterOrARewardThatDoesNotFitIsACompileError() throws {
        _ = Self.stubRegistered
        for (section, key, value) in [("drafter", "latent_channels", 8), ("reward", "text_dim", 256)] {
            let dir = try temporaryDirectory()
            let source = URL(fileURLWithPath: shipped)
            for name in try FileManager.default.contentsOfDirectory(atPath: shipped) where name != "config.json" {
                try FileManager.default.createSymbolicLink(at: dir.appendingPathComponent(name), withDestinationURL: source.appendingPathComponent(name))
            }
            var config = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: source.appendingPathComponent("config.json"))) as? [String: Any])
            var part = try XCTUnwrap(config[section] as? [String: Any])
            part[key] = value
            config[section] = part
            try JSONSerialization.data(withJSONObject: config).write(to: dir.appendingPathComponent("config.json"))
            let result = GraphCompiler(cores: 2).compile(file: Self.repoRoot.appendingPathComponent("Graphs/speculative.yaml").path,
                                                         overrides: ["model=\(dir.path)"])
            let text = result.renderer.render(result.diagnostics)
            print("\(section).\(key) = \(value):\n\(text)")
            XCTAssertNil(result.graph, "\(section).\(key) = \(value) compiled")
            XCTAssertTrue(text.contains("speculative-video.yaml:"), text)
            XCTAssertTrue(text.contains(" \(value) "), "the message names the bad size: \(text)")
        }
    }
}

import Foundation
import XCTest
import FlowKit
import FlowCore
@testable import DenoiserNodes

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

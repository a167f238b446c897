import Foundation
import XCTest
import FlowKit
import FlowCore
import BuiltinNodes
import FlowTestSupport
@testable import RolloutNodes
@testable import DenoiserNodes

/// Graphs/grpo-rollouts.yaml end to end on the shipped model (text encoder stubbed): the records hold what
/// the sampler really did, draw for draw.
final class RolloutGraphTests: XCTestCase {
    static let registered: Void = {
        BuiltinNodes.register()
        try? NodeRegistry.shared.register(TextStubNode.self, origin: "RolloutTests")
    }()

    func run(_ overrides: [String]) throws -> RolloutFile {
        _ = Self.registered
        let model = Repository.root.appendingPathComponent("Models/world-tiny").path
        guard FileManager.default.fileExists(atPath: model + "/reward.safetensors") else { throw XCTSkip("Models/world-tiny not exported") }
        var text = try String(contentsOf: Repository.root.appendingPathComponent("Graphs/grpo-rollouts.yaml"), encoding: .utf8)
        XCTAssertTrue(text.contains("type: text.encoder"))
        text = text.replacingOccurrences(of: "type: text.encoder", with: "type: test.text_stub")
        let dir = try makeTemporaryFolder()
        try text.write(toFile: dir.file("grpo-rollouts.yaml"), atomically: true, encoding: .utf8)
        let result = GraphCompiler(cores: 2).compile(file: dir.file("grpo-rollouts.yaml"),
                                                     overrides: overrides + ["model=\(model)", "out=\(dir.path)/r/rollouts.pb", "video=\(dir.path)/v.mp4"])
        guard let compiled = result.graph else {
            XCTFail(result.renderer.render(result.diagnostics))
            throw NodeError("compile failed")
        }
        let outcome = try GraphRun(graph: compiled, options: RunOptions()).run()
        guard case .completed = outcome else { XCTFail("run: \(outcome)"); throw NodeError("run failed") }
        return try RolloutFile.read(path: dir.file("r/rollouts.pb"))
    }

    /// The draw the sampler used for `draw` of `block` (SeededNoise), [F, C, H, W].
    func noise(seed: Int, block: Int, draw: Int, like t: Tensor) -> Tensor {
        SeededNoise(seed: UInt64(seed)).tensor(shape: Array(t.shape.dropFirst()), block: block, draw: draw)
    }

    func step(_ t: Tensor, _ i: Int) -> Tensor { t.select(dim: 0, i).contiguous() }

    func testNoiseBranchesRecordTheSamplersOwnDraws() throws {
        let seed = 70_000_001
        let file = try run(["frames=24", "group=3", "seed=\(seed)"])
        XCTAssertEqual(file.header.groupSize, 3)
        XCTAssertEqual(file.header.seed, seed)
        XCTAssertEqual(file.header.weights, "denoiser")
        XCTAssertEqual(file.header.guidance, 4, "the model's guidance")
        XCTAssertEqual(file.groups.map(\.block), [0, 1])
        XCTAssertEqual(file.groups[0].rollouts.map(\.visiblePositions), [[], [], []])
        XCTAssertEqual(file.groups[1].rollouts.map(\.visiblePositions), [[0, 1, 2], [0, 1, 2], [0, 1, 2]])
        for g in file.groups {
            XCTAssertEqual(g.rollouts.filter(\.kept).count, 1)
            XCTAssertEqual(g.rollouts.first(where: \.kept)?.reward, g.rollouts.map(\.reward).max(), "select keeps the best reward")
            XCTAssertEqual(g.rollouts.map(\.advantage).reduce(0, +), 0, accuracy: 1e-4)
            XCTAssertGreaterThan(g.rewardStd, 0, "different noise, different rewards")
            for r in g.rollouts {
                // The initial state is candidate r.index's first draw; each later state is the re-noising of the
                // previous prediction with the sampler's next draw.
                let first = noise(seed: seed, block: g.block, draw: r.index * 64, like: r.states)
                assertWithin(step(r.states, 0), first, .exact, "block \(g.block) rollout \(r.index) initial noise")
                for t in r.transitions {
                    let s = t.sigmaNext
                    let eps = Tensor(shape: first.shape) { o in
                        step(r.states, t.step + 1).withUnsafeFloats { x in step(r.predictions, t.step).withUnsafeFloats { p in
                            for j in 0..<o.count { o[j] = (x[j] - (1 - s) * p[j]) / s }
                        } }
                    }
                    assertWithin(eps, noise(seed: seed, block: g.block, draw: r.index * 64 + t.step + 1, like: r.states),
                                 .elementwise(relative: 1e-4, absolute: 1e-4), "block \(g.block) rollout \(r.index) step \(t.step)")
                    XCTAssertTrue(t.logProb.isFinite)
                }
            }
        }
    }

    func testKVRoutingBranchesShareNoiseAndDifferInHistory() throws {
        let file = try run(["frames=36", "group=3", "seed=70000002", "branching=kv-routing", "kv_keep=0.3"])
        XCTAssertEqual(file.header.branching, "kv-routing")
        XCTAssertEqual(file.groups.count, 3)
        for g in file.groups {
            let firsts = g.rollouts.map { step($0.states, 0) }
            for f in firsts.dropFirst() { assertWithin(f, firsts[0], .exact, "block \(g.block): shared initial noise") }
        }
        let last = file.groups[2].rollouts.map(\.visiblePositions)
        XCTAssertEqual(last[0], [0, 1, 2, 3, 4, 5], "rollout 0 attends to all history")
        XCTAssertTrue(last.allSatisfy { Array($0.prefix(3)) == [0, 1, 2] && Set($0).isSubset(of: 0...5) }, "the sink always stays: \(last)")
        XCTAssertTrue(last.dropFirst().contains { $0.count < 6 }, "keep 0.3 drops some window frame: \(last)")
        XCTAssertGreaterThan(file.groups[2].rewardStd, 0, "routing alone changes what the group generates")
    }
}

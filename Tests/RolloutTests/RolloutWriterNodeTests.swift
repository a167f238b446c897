import XCTest
import FlowKit
import FlowRecords
import FlowTestSupport
@testable import RolloutNodes

/// rollout.writer alone: tagged trajectories, rewards, the prompt and the choice in; one record per block out.
final class RolloutWriterNodeTests: XCTestCase {
    static let sigmas: [Float] = [1, 0.9375, 0.8333, 0.625]
    static let shape = [3, 2, 2, 2]

    /// A trajectory whose steps really are the sampler's: x[i+1] = (1 - s') x0[i] + s' eps[i] with known eps.
    static func trajectory(_ tag: Candidate, visible: [Int] = [], eps: [Tensor]? = nil) -> (SamplerTrajectory, [Tensor]) {
        var rng = SplitMix64(seed: UInt64(tag.id + 1))
        func gaussianish() -> Tensor { Tensor(shape: shape) { o in for i in 0..<o.count { o[i] = Float(Int(rng.below(2001)) - 1000) / 500 } } }
        let draws = eps ?? (0..<sigmas.count - 1).map { _ in gaussianish() }
        var states = [gaussianish()]
        var predictions: [Tensor] = []
        for i in 0..<sigmas.count {
            predictions.append(gaussianish())
            if i + 1 < sigmas.count {
                let s = sigmas[i + 1]
                states.append(Tensor(shape: shape) { o in
                    predictions[i].withUnsafeFloats { p in draws[i].withUnsafeFloats { e in for j in 0..<o.count { o[j] = (1 - s) * p[j] + s * e[j] } } }
                })
            }
        }
        return (SamplerTrajectory(block: tag.block, candidate: tag, sigmas: sigmas, states: states, predictions: predictions,
                                  visiblePositions: visible, guidance: 4, promptGeneration: 0, seed: 70_000_000, weights: "denoiser"), draws)
    }

    static func reward(_ tag: Candidate, _ p: Float) -> RewardScores {
        RewardScores(firstFrame: tag.block * 12, windowFrames: 4, promptGeneration: 0,
                     logits: [Float(log(Double(p) / (1 - Double(p))))], candidate: tag)
    }

    static let text = TextEmbedding(text: "a red circle moves right on a black background", generation: 0, startFrame: 0, tokenIDs: [101, 102],
                                    tokenStates: Tensor(shape: [2, 384]) { o in for i in 0..<o.count { o[i] = Float(i % 7) } },
                                    sentence: Tensor(zeros: [384]), truncated: false)

    func testRecordsOneGroupPerBlockWithAdvantagesAndExactLogProbabilities() throws {
        let folder = try makeTemporaryFolder()
        let path = folder.file("nested/rollouts.pb")
        let h = try NodeHarness(RolloutWriterNode.self, params: ["path": .string(path), "model": .string("Models/world-tiny")])
        try h.feed("text", position: 0, Self.text)
        let tags = (0..<3).map { Candidate(block: 0, index: $0, count: 3, parent: nil) }
        let rewards: [Float] = [0.2, 0.8, 0.5]
        var draws: [[Tensor]] = []
        for (tag, r) in zip(tags, rewards) {
            let (t, eps) = Self.trajectory(tag)
            draws.append(eps)
            try h.feed("trajectory", position: 0, t)
            try h.feed("scores", position: 0, Self.reward(tag, r))
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: path), "nothing is written before the choice")
        XCTAssertEqual(h.node.pendingWork.count, 1)
        try h.feed("choice", position: 0, BeamChoice(block: 0, kept: [tags[1]], scores: [0.8]))
        XCTAssertTrue(h.node.pendingWork.isEmpty)
        let next = (0..<3).map { Candidate(block: 1, index: $0, count: 3, parent: tags[1].id) }
        for tag in next {
            try h.feed("trajectory", position: 1, Self.trajectory(tag, visible: [0, 1, 2]).0)
            try h.feed("scores", position: 1, Self.reward(tag, 0.5))
        }
        try h.feed("choice", position: 1, BeamChoice(block: 1, kept: [next[2]], scores: [0.5]))
        try h.finishClean()
        XCTAssertTrue(h.logLines.last?.contains("2 group(s) of 3") == true, h.logLines.joined())

        let file = try RolloutFile.read(path: path)
        XCTAssertEqual(file.header, RolloutFileHeaderRecord(graph: "node", model: "Models/world-tiny", weights: "denoiser", seed: 70_000_000,
                                                            groupSize: 3, branching: "noise", reward: "reward.scorer", sigmas: Self.sigmas,
                                                            guidance: 4, blockFrames: 3))
        XCTAssertEqual(file.groups.map(\.block), [0, 1])
        let g = file.groups[0]
        XCTAssertEqual(g.prompt, Self.text.text)
        XCTAssertEqual(g.textStates.shape, [2, 384])
        XCTAssertEqual(g.rollouts.map(\.kept), [false, true, false])
        XCTAssertEqual(g.rollouts.map(\.reward), rewards.map { Float(1 / (1 + exp(-log(Double($0) / (1 - Double($0)))))) })
        let mean = rewards.reduce(0, +) / 3
        let std = (rewards.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 3).squareRoot()
        for (r, reward) in zip(g.rollouts, rewards) { XCTAssertEqual(r.advantage, (reward - mean) / (std + 1e-4), accuracy: 1e-4) }
        XCTAssertEqual(g.rollouts.map(\.advantage).reduce(0, +), 0, accuracy: 1e-5, "advantages are centred in the group")
        XCTAssertEqual(file.groups[1].rollouts.map(\.advantage), [0, 0, 0], "equal rewards: no direction")
        XCTAssertEqual(file.groups[1].rollouts[0].visiblePositions, [0, 1, 2])
        // The recorded log-probability is the Gaussian density of the draw that made each state.
        for (r, eps) in zip(g.rollouts, draws) {
            XCTAssertEqual(r.states.shape, [4] + Self.shape)
            XCTAssertEqual(r.transitions.map(\.step), [0, 1, 2])
            for (t, e) in zip(r.transitions, eps) {
                let d = Double(e.count)
                let squares = e.withUnsafeFloats { $0.reduce(0.0) { $0 + Double($1) * Double($1) } }
                let expected = -0.5 * squares - d * log(Double(t.sigmaNext)) - 0.5 * d * log(2 * Double.pi)
                XCTAssertEqual(t.logProb, expected, accuracy: 1e-3 * max(1, abs(expected)) * 1e-2)
            }
        }
    }

    func testUntaggedTrajectoryIsAnError() throws {
        let folder = try makeTemporaryFolder()
        let h = try NodeHarness(RolloutWriterNode.self, params: ["path": .string(folder.file("r.pb"))])
        var (t, _) = Self.trajectory(Candidate(block: 0, index: 0, count: 2, parent: nil))
        t.candidate = nil
        XCTAssertThrowsError(try h.feed("trajectory", position: 0, t)) { XCTAssertTrue("\($0)".contains("without a candidate tag"), "\($0)") }
    }

    func testGroupAdvantage() {
        let a = GroupAdvantage(epsilon: 0)([1, 3])
        XCTAssertEqual(a, .init(mean: 2, std: 1, advantages: [-1, 1]))
        XCTAssertEqual(GroupAdvantage(epsilon: 1e-4)([0.5, 0.5, 0.5]).advantages, [0, 0, 0])
    }
}

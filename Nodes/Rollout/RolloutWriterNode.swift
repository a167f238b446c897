import Foundation
import FlowKit
import FlowRecords

/// `rollout.writer`: records GRPO rollout groups. For each block it waits for every candidate's sampler
/// trajectory and reward and for the search's choice, normalises the rewards within the group (the GRPO
/// advantage), and appends one `RolloutGroup` record (Schemas/rollout.proto) after a `RolloutFileHeader`.
/// Every record is complete when written, so a run that stops early leaves a readable file.
public final class RolloutWriterNode: Node, ReportsPendingWork {
    public static let contract = NodeContract(
        type: "rollout.writer",
        summary: "Records GRPO rollout groups (prompt, seed, every sampler transition with its log-probability, rewards, group-normalised advantages) as length-delimited protobuf records",
        inputs: [
            .input("trajectory", SamplerTrajectory.self, doc: "every candidate's sampler trajectory, tagged (denoiser.block with candidates: G and trajectories: true)"),
            .input("scores", RewardScores.self, doc: "every candidate's reward, tagged (reward.scorer or reward.verifier on its decoded frames)"),
            .input("text", TextEmbedding.self, doc: "the prompt's embedding (recorded with each group, so training needs no text encoder)"),
            .input("choice", BeamChoice.self, doc: "search.select's choice per block: the kept rollout is the history of the next group"),
        ],
        outputs: [],
        params: [
            ParamSpec("path", .path, doc: "the rollout file (Schemas/rollout.proto records), relative to the graph file; its folder is created"),
            ParamSpec("model", .string, default: .string(""), doc: "the model folder, recorded in the header (Training/grpo.py loads it)"),
            ParamSpec("reward", .string, default: .string("reward.scorer"), doc: "what scored the rollouts, recorded in the header"),
            ParamSpec("branching", .string, default: .string("noise"), doc: "how the group's rollouts branch (denoiser.block's `branching`), recorded in the header"),
            ParamSpec("epsilon", .float, default: .float(1e-4), range: 0...1, doc: "advantage = (reward - group mean) / (group std + epsilon)"),
        ])

    private let path: String
    private let graphName: String
    private let model: String
    private let reward: String
    private let branching: String
    private let advantage: GroupAdvantage
    private var writer: RecordWriter?
    private var header: RolloutFileHeaderRecord?
    private var texts: [Int: TextEmbedding] = [:]
    private var trajectories: [Int: [Int: SamplerTrajectory]] = [:]
    private var rewards: [Int: [Int: Float]] = [:]
    private var choices: [Int: BeamChoice] = [:]
    private var groupCount = 0
    private var rewardSum = 0.0
    private var spreadSum = 0.0

    public init(context: NodeContext) throws {
        path = context.path("path")
        graphName = context.id
        model = context.params.string("model")
        reward = context.params.string("reward")
        branching = context.params.string("branching")
        advantage = GroupAdvantage(epsilon: Float(context.params.double("epsilon")))
    }

    public func process(_ packet: Packet, port: String, _ io: NodeIO) throws {
        let block: Int
        switch port {
        case "trajectory":
            let t = try packet.value(as: SamplerTrajectory.self)
            guard let tag = t.candidate else { throw NodeError("block \(t.block): a trajectory without a candidate tag; rollouts come from a search (candidates: G)") }
            block = tag.block
            trajectories[block, default: [:]][tag.index] = t
        case "scores":
            let s = try packet.value(as: RewardScores.self)
            guard let tag = s.candidate else { throw NodeError("block \(packet.position): a reward without a candidate tag; rollouts come from a search (candidates: G)") }
            guard let mean = s.meanProbability else { throw NodeError("\(tag): its reward covers no frame window (\(s.windowFrames) frames a window)") }
            block = tag.block
            rewards[block, default: [:]][tag.index] = mean
        case "text":
            let e = try packet.value(as: TextEmbedding.self)
            texts[e.generation] = e
            return
        default:
            let c = try packet.value(as: BeamChoice.self)
            block = c.block
            choices[block] = c
        }
        try writeIfComplete(block)
    }

    private func writeIfComplete(_ block: Int) throws {
        guard let paths = trajectories[block], let first = paths.values.first, let count = first.candidate?.count,
              paths.count == count, let scores = rewards[block], scores.count == count, let choice = choices[block],
              let text = texts[first.promptGeneration] else { return }
        trajectories[block] = nil
        rewards[block] = nil
        choices[block] = nil
        let ordered = (0..<count).map { paths[$0]! }
        let values = (0..<count).map { scores[$0]! }
        let group = advantage(values)
        let kept = Set(choice.kept.map(\.index))
        let record = RolloutGroupRecord(
            block: block, prompt: text.text, promptGeneration: text.generation, textStates: text.tokenStates,
            rollouts: ordered.enumerated().map { i, t in
                RolloutRecord(index: i, states: Self.stacked(t.states), predictions: Self.stacked(t.predictions),
                              transitions: GaussianTransition.transitions(t), visiblePositions: t.visiblePositions,
                              reward: values[i], advantage: group.advantages[i], kept: kept.contains(i))
            },
            rewardMean: group.mean, rewardStd: group.std)
        if writer == nil { try open(first, groupSize: count) }
        do {
            try writer!.append(RolloutRecordCoding.encode(record))
        } catch {
            throw NodeError("\(error)")
        }
        groupCount += 1
        rewardSum += Double(group.mean)
        spreadSum += Double(group.std)
    }

    /// [steps] of [F, C, H, W] -> [steps, F, C, H, W].
    static func stacked(_ tensors: [Tensor]) -> Tensor {
        Tensor.concatenate(tensors.map { $0.contiguous().reshaped([1] + $0.shape) }, dim: 0)
    }

    private func open(_ t: SamplerTrajectory, groupSize: Int) throws {
        let h = RolloutFileHeaderRecord(graph: graphName, model: model, weights: t.weights, seed: t.seed, groupSize: groupSize,
                                        branching: branching, reward: reward, sigmas: t.sigmas, guidance: t.guidance,
                                        blockFrames: t.states.first?.shape.first ?? 0)
        do {
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            writer = try RecordWriter(path: path)
            try writer!.append(RolloutRecordCoding.encode(h))
        } catch {
            throw NodeError("rollout file: \(error)")
        }
        header = h
    }

    public func inputClosed(_ port: String, _ io: NodeIO) throws {}

    public var pendingWork: [String] {
        Set(trajectories.keys).union(rewards.keys).union(choices.keys).sorted().map { b in
            "block \(b): \(trajectories[b]?.count ?? 0) trajectories, \(rewards[b]?.count ?? 0) rewards, \(choices[b] == nil ? "no" : "a") choice; never recorded"
        }
    }

    public func finish(_ io: NodeIO) throws {
        guard let writer else { return io.log("rollout.writer: no group recorded") }
        try writer.close()
        let n = Double(max(groupCount, 1))
        io.log(String(format: "rollout.writer: %d group(s) of %d to %@ (%d bytes); mean group reward %.3f, mean group std %.3f",
                      groupCount, header?.groupSize ?? 0, path, writer.bytesWritten, rewardSum / n, spreadSum / n))
    }
}

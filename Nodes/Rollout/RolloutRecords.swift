import FlowKit

/// The records of Schemas/rollout.proto as Swift values (what rollout.writer writes and tests read back).
public struct RolloutFileHeaderRecord: Equatable, Sendable {
    public static let format = "flowrun-rollouts"
    public static let version = 1

    public var graph: String
    public var model: String
    public var weights: String
    public var seed: Int
    public var groupSize: Int
    public var branching: String
    public var reward: String
    public var sigmas: [Float]
    public var guidance: Float
    public var blockFrames: Int
}

public struct TransitionRecord: Equatable, Sendable {
    public var step: Int
    public var sigma: Float
    public var sigmaNext: Float
    public var logProb: Double
}

public struct RolloutRecord: Sendable {
    public var index: Int
    /// [steps, F, C, H, W]: x fed to each step, and x0 predicted by it (normalised latents).
    public var states: Tensor
    public var predictions: Tensor
    public var transitions: [TransitionRecord]
    public var visiblePositions: [Int]
    public var reward: Float
    public var advantage: Float
    public var kept: Bool
}

public struct RolloutGroupRecord: Sendable {
    public var block: Int
    public var prompt: String
    public var promptGeneration: Int
    /// [T, 384] text-encoder states of the prompt.
    public var textStates: Tensor
    public var rollouts: [RolloutRecord]
    public var rewardMean: Float
    public var rewardStd: Float
}

/// A whole rollout file: its header and its groups, block after block.
public struct RolloutFile: Sendable {
    public var header: RolloutFileHeaderRecord
    public var groups: [RolloutGroupRecord]
}

import FlowKit

/// The rollout family: `rollout.writer`, which records GRPO rollout groups (Schemas/rollout.proto) for
/// Training/grpo.py.
///
///     denoise (candidates: G, trajectories: true) --trajectory--> record (rollout.writer) --> rollouts file
///        --latents--> judge (vae.decoder) --frames--> reward --scores--> record, select
///     select (search.select) --choice--> kv, record
///
/// - Files: `RolloutWriterNode.swift` (contract, waiting for a block's group), `GroupAdvantage.swift`
///   (rewards normalised within the group), `GaussianTransition.swift` (the exact log-probability of a
///   re-noising step), `RolloutRecords.swift` (the records as Swift values), `RolloutRecordCoding.swift`
///   (to and from protobuf-c), `TensorRecord.swift` (a tensor inline in a TensorHeader).
/// - Graph: Graphs/grpo-rollouts.yaml. Tests: `Tests/RolloutTests`.
public enum RolloutNodes {
    public static var types: [any Node.Type] { [RolloutWriterNode.self] }
}

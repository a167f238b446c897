import FlowKit

/// The reward family: `reward.scorer`.
///
/// Scores generated frames against the prompt they were made under with the world-tiny reward model
/// (Training/models.py `Reward`): four frames stacked as channels through four stride-2 convolutions, the
/// prompt's mean token state through a two-layer head, logit = scale·cosine + bias, sigmoid = calibrated
/// P(frames match prompt). The first piece of best-of-N and speculative generation.
///
///     text:   { type: text.encoder, inputs: { prompt: prompts.prompt } }
///     gen:    { include: lib/generate-video.yaml, ..., inputs: { text: text.embedding } }
///     reward: { type: reward.scorer, model: ${model}, inputs: { frames: gen.frames, text: text.embedding } }
///
/// - Files: `RewardScorerNode.swift` (contract, pairing frames with prompts by generation, one score per
///   batch), `FrameWindows.swift` (windows of 4 frames across batches, restarted at a switch),
///   `RewardModel.swift` (the forward pass on FlowKit's `Conv2d`, `Linear` and kernels), `RewardConfig.swift`
///   (config.json `reward`), `UnitRows.swift` (the L2 normalisation with the reference's ε).
/// - Payloads (FlowKit/Payloads): `FrameBatch` and `TextEmbedding` in, `RewardScores` out.
/// - Fixtures: `Tests/ModelFixtures/reward.safetensors` (frames, token states, logits of the numpy reference
///   `reward_forward` in Training/reference.py; made by Training/export.py --fixtures).
/// - Tests: `Tests/RewardTests` (parity with the fixture; windows across batches, pairing by generation,
///   leftovers at finish). No benchmark yet.
public enum RewardNodes {
    public static var types: [any Node.Type] { [RewardScorerNode.self] }
}

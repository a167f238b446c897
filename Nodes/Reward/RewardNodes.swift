import FlowKit

/// The reward family: `reward.scorer` and `reward.verifier`.
///
/// Scores generated frames against the prompt they were made under with the world-tiny reward model
/// (Training/models.py `Reward`): four frames stacked as channels through four stride-2 convolutions, the
/// prompt's mean token state through a two-layer head, logit = scale·cosine + bias, sigmoid = calibrated
/// P(frames match prompt). The first piece of best-of-N and speculative generation.
///
/// `reward.verifier` is its rule-based, training-free alternative with the same ports and payloads: it reads the
/// prompt's attributes (background; per object colour, shape, size, motion) in the training vocabularies of
/// Training/world.py, reads the frames the way Training/analyzer.py does, and scores each window by the fraction
/// of the attributes it sees. A second scorer for search, and an upper bound to report beside the learned one.
///
///     text:   { type: text.encoder, inputs: { prompt: prompts.prompt } }
///     gen:    { include: lib/generate-video.yaml, ..., inputs: { text: text.embedding } }
///     reward: { type: reward.scorer, model: ${model}, inputs: { frames: gen.frames, text: text.embedding } }
///     rules:  { type: reward.verifier, model: ${model}, inputs: { frames: gen.frames, text: text.embedding } }
///
/// - Files: `RewardScorerNode.swift` (contract, pairing frames with prompts by generation, one score per
///   batch), `FrameWindows.swift` (windows of 4 frames across batches, restarted at a switch),
///   `RewardModel.swift` (the forward pass on FlowKit's `Conv2d`, `Linear` and kernels), `RewardConfig.swift`
///   (config.json `reward`), `unitRows` (FlowKit/Layers: the L2 normalisation with the reference's ε, shared with the memory family's descriptor).
///   The verifier: `RewardVerifierNode.swift` (contract, windows, motion track, candidates), `PromptPairing.swift`
///   (frames with their prompt by generation), `PromptAttributes.swift` and `TrainingVocabulary.swift` (prompt ->
///   expected attributes), `FrameAnalysis.swift`, `ShapeCoverage.swift` and `PairwiseSum.swift` (analyzer.py's
///   `analyze_frame` in Swift), `MotionJudge.swift` (centroid track -> motion), `SceneChecks.swift` and
///   `AttributeTally.swift` (the rules, the counts), `SyntheticWorld.swift` (world.py's palette and shapes),
///   `WorldConfig.swift` (config.json `world`).
/// - Payloads (FlowKit/Payloads): `FrameBatch` and `TextEmbedding` in, `RewardScores` out.
/// - Fixtures: `Tests/ModelFixtures/reward.safetensors` (frames, token states, logits of the numpy reference
///   `reward_forward` in Training/reference.py; made by Training/export.py --fixtures).
///   `Tests/ModelFixtures/verifier_clips.{json,rle}` (world clips, true and perturbed, with analyzer.py's reading of
///   every frame and prompts in both vocabularies; made by Training/make_verifier_fixtures.py).
/// - Tests: `Tests/RewardTests` (parity with the fixture; windows across batches, pairing by generation,
///   leftovers at finish; the verifier's frame analysis against analyzer.py, prompt reading, and scores of true
///   and perturbed clips). No benchmark yet.
public enum RewardNodes {
    public static var types: [any Node.Type] { [RewardScorerNode.self, RewardVerifierNode.self] }
}

import FlowKit

/// The denoiser family: `denoiser.block`, `denoiser.layers` (the far half of a denoiser split by layers) and `noise.controller`.
///
/// The world-tiny block-causal DiT: few-step flow denoising of 3 latent frames per block, K/V from cache.manager,
/// the t = 0 pass that writes a block's clean K/V, re-cache on a switch, classifier-free guidance, seeded noise;
/// video-to-video from input latents with StreamDiffusionV2's motion-aware start timestep.
///
///     denoise:
///       type: denoiser.block
///       model: ${model}                       # shapes C, H, W come from its config.json
///       inputs: { text: text.embedding, cache: { from: kv.context, feedback: true } }
///
/// - Files: `DenoiserBlockNode.swift` (contract, prompt timing, the block loop), `BlockSampler.swift` (steps of one
///   block), `DiTModel.swift` + `DiTWeights.swift` + `DiTConfig.swift` (the transformer), `Conditioning.swift`
///   (prompts as the denoiser applies them), `PooledText.swift` (v2's sentence-vector conditioning),
///   `FlowSchedule.swift`, `TimestepEmbedding.swift`, `RotaryTable.swift`, `TokenOps.swift`, `LayerKV.swift`,
///   `SeededNoise.swift`; `NoiseControllerNode.swift` +
///   `MotionNoiseController.swift` + `VideoToVideoStart.swift` (video-to-video); `BlockSearch.swift` +
///   `DenoiserBlockNode+Search.swift` (search candidates), `SamplerTrace.swift` (GRPO: each candidate's sampler
///   trajectory), `KVRouting.swift` (KVPO-style branches that route the history); `DiTModel+Layers.swift` +
///   `LayerSplitFront.swift` + `DenoiserBlockNode+LayerSplit.swift` + `DenoiserLayersNode.swift` (a split by layers).
/// - Shared layers it uses from FlowKit: `LatentNormalization`, `Linear`, the attention kernels.
/// - Fixtures: `Tests/FlowTestSupport/LongLiveFixtures` (`python3 Training/make_longlive_fixtures.py`), golden streams of the
///   shipped weights in `Tests/ModelFixtures` (`python3 Training/export.py --fixtures`).
/// - Tests: `Tests/DenoiserTests` (parity with the numpy reference, the loop with cache.manager as an embedded graph).
/// - Benchmark: `Benchmarks/LongLiveBench` (FPS, latency, RSS; against torch with `--torch`).
public enum DenoiserNodes {
    public static var types: [any Node.Type] { [DenoiserBlockNode.self, DenoiserLayersNode.self, NoiseControllerNode.self] }
}

import FlowKit

/// The VAE family: `vae.decoder`, `vae.encoder` and `vae.speculative_decoder`.
///
/// The world-tiny causal video VAE (4 frames per latent frame, 8x spatial, 16 channels), streamed: the decoder
/// takes one latent frame at a time with the causal cache, the encoder takes frames in batches of any size.
///
///     vae: { type: vae.decoder, model: ${model}, inputs: { latents: denoise.latents }, queue: 4 }
///
/// Speculative decoding (Graphs/lib/speculative-video.yaml) decodes each block once with `vae.speculative_decoder`:
/// a draft is judged on a fork of the kept history's cache, and a kept draft's judged frames are the output.
///
/// - Files: `VAEDecoderNode.swift`, `VAEEncoderNode.swift`, `VAESpeculativeDecoderNode.swift` (contracts, streaming), `VAEDecoder.swift`,
///   `VAEEncoder.swift` (the networks), `VAEConfig.swift` (config.json, shape symbols C, h, w, H, W).
/// - Shared layers it uses from FlowKit/Layers: `Conv2d`, `GroupNormLayer`, `ResBlock2d`, `CausalConv3d`,
///   `CausalResBlock3d`, `FramePixels`, `FrameQuantizer`.
/// - Fixtures: `Tests/FlowTestSupport/LongLiveFixtures` (`python3 Training/make_longlive_fixtures.py`) and `Tests/ModelFixtures`.
/// - Tests: `Tests/VAETests` (parity, streaming equals whole-clip, the speculative decoder alone),
///   `Tests/LongLiveTests/SpeculativeGraphTests.swift` (one decode per block against the old two). Benchmark: `Benchmarks/LongLiveBench`.
public enum VAENodes {
    public static var types: [any Node.Type] { [VAEDecoderNode.self, VAEEncoderNode.self, VAESpeculativeDecoderNode.self] }
}

import FlowKit

/// The cache family: `cache.manager`.
///
/// Owns the K/V of every transformer layer for denoiser.block's loop: window + sink, re-cache on a prompt
/// switch, EMA-sink, int8 / 4-bit storage, attention-based token compression (`compress: attention`, Deep Forcing's
/// participative compression: the denoiser reports how much its clean pass attends to each cached token, and each
/// frame keeps its `keep` share of most attended tokens per layer and head), a byte budget, and an eviction stream
/// for a memory retriever.
///
///     kv: { type: cache.manager, model: ${model}, recache: on-switch, quantize: int8, inputs: { update: denoise.kv } }
///     denoise: { ..., inputs: { cache: { from: kv.context, feedback: true } } }
///
/// - Files: `CacheManagerNode.swift` (contract, the loop's packets), `KVStore.swift` (window, sink, budget,
///   eviction order, compression), `CachePolicy.swift` (the graph's policy, `KVCompression`'s top-k), `TrainedWindow.swift` (window and sink from the
///   model's config.json, warnings on departures), `StoredTensor.swift` + `QuantizationError.swift` (storage).
/// - Payloads (FlowKit/Payloads): `KVUpdate` in, `KVContext` and `KVEviction` out.
/// - Tests: `Tests/CacheTests` (policies on synthetic frames, trained window, `CacheCompressionTests`); the loop
///   with the denoiser in `Tests/DenoiserTests/DenoiserNodeTests.swift` and `AttentionMassTests.swift` (attention
///   statistics, compressed streams), the graph in `Tests/LongLiveTests/CompressionGraphTests.swift`;
///   measurements in docs/measurements/kv-compression. No fixtures of its own; no benchmark of its own
///   (`LongLiveBench` measures the loop).
public enum CacheNodes {
    public static var types: [any Node.Type] { [CacheManagerNode.self] }
}

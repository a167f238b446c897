import FlowKit

/// The search family: `search.select`, the decision of best-of-N search with beams (Stream-T1).
///
/// A search is a graph, so the executor carries the branching and `--stats` / `--trace` show it:
///
///     denoise (candidates: N, beams: B) --latents--> judge (vae.decoder) --frames--> reward --scores--+
///        ^   \--kv (tagged)--> kv (cache.manager) <--choice-- select (search.select) <--frames, scores-+
///        +------------- kv.context, one per beam (feedback) ---------'        '--frames--> video
///
/// Every candidate's payloads carry a `Candidate` tag (FlowKit/Payloads/Candidate.swift); the cache
/// manager keeps one store per beam, the VAE decoder one causal cache per candidate lineage, so each
/// candidate is exactly what its history would give alone. The graph: Graphs/lib/search-video.yaml.
///
/// - Files: `SearchSelectNode.swift` (contract, waiting for a block's candidates, ranking, the choice),
///   `BlockScores.swift` (Stream-T1's selection score), `Lineage.swift` (kept candidates as a tree; which
///   blocks are final), `SearchStats.swift` (the reward gained, logged at the end).
/// - Tests: `Tests/SearchTests`.
public enum SearchNodes {
    public static var types: [any Node.Type] { [SearchSelectNode.self, SpeculativeGateNode.self] }
}

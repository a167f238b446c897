import FlowKit

/// The memory family: `memory.retriever`, LongLive-RAG's retrieval over generated history.
///
/// - Files: `MemoryRetrieverNode.swift` (contract, waiting for a block's evictions, the answer),
///   `MemoryRetrieverCheck.swift` (compile-time checks against config.json), `MemoryBank.swift` (evicted
///   frames under a byte budget, cosine top-k; `BankEntry`, `BankPrecision`, `BankEvictionPolicy`,
///   `BestMatches`, `BankStats`), `DescriptorModel.swift` and `DescriptorConfig.swift` (the learned
///   descriptor, Training/MODEL_FORMAT.md §3), `BlockRetrieval.swift`, `RetrievalLog.swift` and
///   `RetrievalSummary.swift` (what was retrieved per block, the JSON-lines log, the closing line).
/// - Tests: `Tests/MemoryTests`.
public enum MemoryNodes {
    public static var types: [any Node.Type] { [MemoryRetrieverNode.self] }
}

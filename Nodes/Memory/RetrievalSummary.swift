import Foundation

/// memory.retriever's closing log line: what the bank held against its budget, and what retrieval found and
/// cost per block.
struct RetrievalSummary {
    let bank: BankStats
    let budgetBytes: Int
    let precision: BankPrecision
    let blocks: [BlockRetrieval]

    /// Mean best similarity over the blocks that retrieved anything; nil when none did.
    var meanTopScore: Double? {
        let tops = blocks.compactMap(\.topScore)
        return tops.isEmpty ? nil : tops.reduce(0) { $0 + Double($1) } / Double(tops.count)
    }

    /// Mean and median descriptor+search milliseconds per answered block.
    var milliseconds: (mean: Double, p50: Double)? {
        guard !blocks.isEmpty else { return nil }
        let ms = blocks.map { $0.seconds * 1000 }.sorted()
        let mid = ms.count / 2
        let p50 = ms.count % 2 == 1 ? ms[mid] : (ms[mid - 1] + ms[mid]) / 2
        return (ms.reduce(0, +) / Double(ms.count), p50)
    }

    var line: String {
        let mib = 1_048_576.0
        var s = String(format: "%d frame(s) banked, %d held; bank peak %.2f MiB of a %.2f MiB budget (%@ K/V), %d dropped by the budget; %d block(s) answered, %d frame(s) retrieved",
                       bank.added, bank.framesHeld, Double(bank.peakBytes) / mib, Double(budgetBytes) / mib,
                       precision == .f32 ? "f32" : precision.rawValue, bank.dropped, blocks.count, bank.retrievals)
        s += meanTopScore.map { String(format: ", mean top-1 similarity %.4f", $0) } ?? ", no top-1 similarity (nothing retrieved)"
        if let t = milliseconds { s += String(format: "; descriptor+search %.3f ms mean, %.3f ms p50 per block", t.mean, t.p50) }
        return s
    }
}

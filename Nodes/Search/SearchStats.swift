import Foundation

/// What a search reports at the end: how much the choice gained over the candidates it saw.
struct SearchStats {
    private(set) var blocks = 0
    private(set) var candidates = 0
    private var chosenSum = 0.0
    private var meanSum = 0.0
    private var firstSum = 0.0

    /// `rewards`: every candidate's block reward; `chosen`: the best kept one's; `firstCandidate`: the
    /// reward of candidate 0 (what a run without search would have had, on the first block).
    mutating func record(block: Int, rewards: [Float], chosen: Float, firstCandidate: Float) {
        blocks += 1
        candidates += rewards.count
        chosenSum += Double(chosen)
        meanSum += Double(rewards.reduce(0, +)) / Double(rewards.count)
        firstSum += Double(firstCandidate)
    }

    func summary(beams: Int) -> String {
        guard blocks > 0 else { return "search: no block decided" }
        let n = Double(blocks)
        return String(format: "search: %d blocks, %.1f candidates a block, %d beam(s); block reward of the best kept %.3f, candidate mean %.3f, candidate 0 %.3f",
                      blocks, Double(candidates) / n, beams, chosenSum / n, meanSum / n, firstSum / n)
    }
}

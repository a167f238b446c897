/// Stream-T1's selection score: `a * the block's own reward + (1 - a) * the mean reward of the
/// candidate's last `history` blocks` (the block included), so a beam that has done well for a while is
/// not dropped for one weak block.
struct SelectionScore {
    let blockWeight: Float
    let history: Int

    func callAsFunction(_ scores: [Float]) -> Float {
        guard let last = scores.last else { return 0 }
        let recent = scores.suffix(history)
        return blockWeight * last + (1 - blockWeight) * recent.reduce(0, +) / Float(recent.count)
    }
}

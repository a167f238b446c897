/// The k best of a stream of scored candidates, best first: higher score, ties to the lower position (the
/// older frame), then to the lower eviction sequence, so a ranking never depends on where an entry happens
/// to sit in the bank. k is small (at most 64) and most candidates lose to the current k-th at once, so a
/// sorted array beats a heap here.
struct BestMatches {
    struct Candidate: Equatable {
        let score: Float
        let position: Int
        let sequence: Int
        /// Row of the entry in the bank.
        let slot: Int
    }

    let k: Int
    private(set) var best: [Candidate] = []

    init(k: Int) {
        self.k = k
        best.reserveCapacity(k + 1)
    }

    static func ranksAbove(_ a: Candidate, _ b: Candidate) -> Bool {
        if a.score != b.score { return a.score > b.score }
        if a.position != b.position { return a.position < b.position }
        return a.sequence < b.sequence
    }

    mutating func offer(_ c: Candidate) {
        guard k > 0, !c.score.isNaN else { return }
        if best.count == k {
            guard Self.ranksAbove(c, best[k - 1]) else { return }
            best.removeLast()
        }
        var i = best.count
        while i > 0 && Self.ranksAbove(c, best[i - 1]) { i -= 1 }
        best.insert(c, at: i)
    }
}

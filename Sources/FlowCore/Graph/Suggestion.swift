/// "Did you mean …": the closest candidate by edit distance, if it is close enough to be a typo.
enum Suggestion {
    /// Suggestions are for typos in names people type. The distance costs the product of the lengths,
    /// so longer words (a hostile 100,000-character name) get none rather than seconds of work.
    static let longestWord = 100

    static func closest(to word: String, in candidates: some Sequence<String>) -> String? {
        let lowered = Array(word.lowercased().unicodeScalars)
        guard lowered.count <= longestWord else { return nil }
        var best: (String, Int)?
        for c in candidates {
            // Words whose lengths differ by more than the limit cannot be close enough; checking that
            // first keeps a graph with thousands of ids from computing thousands of distances per error.
            let length = c.unicodeScalars.count
            let limit = max(2, min(lowered.count, length) / 3)
            if abs(lowered.count - length) > limit { continue }
            let d = distance(lowered, Array(c.lowercased().unicodeScalars))
            if d <= limit, best == nil || d < best!.1 { best = (c, d) }
        }
        return best?.0
    }

    static func didYouMean(_ word: String, _ candidates: some Sequence<String>) -> String {
        closest(to: word, in: candidates).map { "; did you mean '\($0)'?" } ?? ""
    }

    static func distance(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var prev = Array(0...b.count)
        var cur = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            cur[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            }
            swap(&prev, &cur)
        }
        return prev[b.count]
    }
}

import FlowKit

/// The candidates a search kept, as a tree of parent links, and the part of it that is settled.
///
/// With one beam every choice is final at once. With several, block k is final when every live beam
/// descends from the same candidate of block k; until then its frames wait here. At the end of the
/// stream the best beam's history is final. So the output is always one consistent history.
struct Lineage {
    struct Entry {
        let tag: Candidate
        let frames: FrameBatch
        /// Block scores of this candidate's history, oldest first, this block last.
        let history: [Float]
    }

    private var entries: [Int: Entry] = [:]
    /// Kept candidates of the newest decided block, best first.
    private(set) var beams: [Int] = []
    /// The first block not yet final.
    private(set) var nextFinalBlock = 0

    func entry(_ id: Int) -> Entry? { entries[id] }

    /// Records the kept candidates of a block (best first); returns the blocks that became final.
    mutating func keep(_ kept: [Entry]) -> [FrameBatch] {
        for e in kept { entries[e.tag.id] = e }
        beams = kept.map(\.tag.id)
        var final: [FrameBatch] = []
        while let block = beams.first.flatMap({ entries[$0]?.tag.block }), nextFinalBlock <= block {
            let ancestors = Set(beams.compactMap { ancestor(of: $0, at: nextFinalBlock) })
            guard ancestors.count == 1, let id = ancestors.first, let settled = entries[id] else { break }
            final.append(settled.frames)
            nextFinalBlock += 1
        }
        prune()
        return final
    }

    /// End of stream: the best beam's history from the first block not yet final.
    mutating func finishBest() -> [FrameBatch] {
        guard let best = beams.first else { return [] }
        var chain: [FrameBatch] = []
        var id: Int? = best
        while let current = id, let e = entries[current], e.tag.block >= nextFinalBlock {
            chain.append(e.frames)
            id = e.tag.parent
        }
        nextFinalBlock += chain.count
        entries.removeAll()
        return chain.reversed()
    }

    private func ancestor(of id: Int, at block: Int) -> Int? {
        var current: Int? = id
        while let c = current, let e = entries[c] {
            if e.tag.block == block { return c }
            if e.tag.block < block { return nil }
            current = e.tag.parent
        }
        return nil
    }

    /// Drops what no live beam descends from, and what is final.
    private mutating func prune() {
        var live: [Int: Entry] = [:]
        for beam in beams {
            var current: Int? = beam
            while let c = current, let e = entries[c], e.tag.block >= nextFinalBlock, live[c] == nil {
                live[c] = e
                current = e.tag.parent
            }
        }
        // A final block's entry stays while it is the parent of a beam (its history scores are needed).
        for beam in beams { if let e = entries[beam] { live[e.tag.id] = e } }
        entries = live
    }
}

import FlowKit

/// LongLive-RAG's bank of evicted frames, without node plumbing (tests drive it directly): every frame the
/// cache evicts keeps its K/V and a descriptor, under a byte budget, and a query returns the frames whose
/// descriptors are most similar to the query's.
///
/// Entries sit in slots in no particular order (a removal moves the last slot into the hole), with their
/// descriptors as the rows of one contiguous [count, dimension] matrix, so a query is a single sgemv over
/// the whole bank; which entries count as "recent" comes from their eviction sequence, not their slot.
public struct MemoryBank: Sendable {
    /// A retrieved frame.
    public struct Match: Sendable {
        /// The frame's K/V in f32 (dequantized from int8 storage), no latent.
        public var frame: KVFrame
        /// Cosine similarity to the query (dot product of unit descriptors).
        public var score: Float
        public var position: Int { frame.position }
        /// Its `KVEviction.sequence`.
        public var sequence: Int
    }

    public let budgetBytes: Int
    public let precision: BankPrecision
    public let policy: BankEvictionPolicy
    /// Length of every descriptor.
    public let dimension: Int

    // Settable in the module: a snapshot restores them (MemoryBank+Snapshot.swift).
    var entries: [BankEntry] = []
    /// `slots[i]` is the bookkeeping of `entries[i]`.
    var slots: [BankSlot] = []
    /// Row `i` is the descriptor of `entries[i]`.
    var descriptors: [Float] = []
    /// Sequences of the held entries, ascending: the most recent are at the end.
    var sequences: [Int] = []
    public internal(set) var stats = BankStats()
    /// The highest eviction sequence added so far (0 before any): evictions up to it have reached the bank,
    /// whether or not the budget kept them.
    public internal(set) var lastSequence = 0

    public init(budgetBytes: Int, precision: BankPrecision = .f32, policy: BankEvictionPolicy = .oldest, dimension: Int = 256) {
        precondition(budgetBytes > 0, "MemoryBank: the byte budget must be positive, got \(budgetBytes)")
        precondition(dimension > 0, "MemoryBank: the descriptor dimension must be positive, got \(dimension)")
        self.budgetBytes = budgetBytes
        self.precision = precision
        self.policy = policy
        self.dimension = dimension
    }

    /// Bytes one banked frame takes: `layers` K and V tensors of [heads, tokens, headDim] in `precision`, plus
    /// its f32 descriptor. What `add` charges for such a frame, so a graph can be checked before it runs.
    public static func frameBytes(layers: Int, heads: Int, tokens: Int, headDim: Int, precision: BankPrecision,
                                  dimension: Int = 256) -> Int {
        2 * layers * precision.tensorBytes(heads: heads, tokens: tokens, headDim: headDim) + 4 * dimension
    }

    public var count: Int { entries.count }
    public var bytes: Int { stats.bytes }
    /// Held positions, oldest eviction first.
    public var positions: [Int] { slots.sorted { $0.sequence < $1.sequence }.map(\.position) }
    /// How often the held frame at `position` has been retrieved; nil when the bank does not hold it.
    public func retrievals(ofPosition position: Int) -> Int? { slots.first { $0.position == position }?.retrievals }

    /// Banks an evicted frame with its descriptor, then drops entries by policy while over budget.
    public mutating func add(_ eviction: KVEviction, descriptor: [Float]) throws {
        let position = eviction.frame.position
        guard descriptor.count == dimension else {
            throw NodeError("memory bank: the descriptor of the frame at position \(position) has \(descriptor.count) values; the bank holds \(dimension)-d descriptors")
        }
        guard eviction.sequence > lastSequence else {
            throw NodeError("memory bank: eviction \(eviction.sequence) (position \(position)) arrived after eviction \(lastSequence); evictions must reach the bank in order")
        }
        let entry = BankEntry(eviction, precision: precision, descriptorBytes: 4 * dimension)
        guard entry.bytes <= budgetBytes else {
            throw NodeError("memory bank: the frame at position \(position) takes \(entry.bytes) bytes (K/V of \(eviction.frame.layers) layers stored as \(precision == .f32 ? "f32" : precision.rawValue), plus its descriptor), more than the whole budget of \(budgetBytes) bytes; raise budget_mb or store int8")
        }
        entries.append(entry)
        slots.append(BankSlot(sequence: eviction.sequence, position: position))
        descriptors.append(contentsOf: descriptor)
        sequences.append(eviction.sequence)
        lastSequence = eviction.sequence
        stats.added += 1
        stats.bytes += entry.bytes
        while stats.bytes > budgetBytes {
            remove(slot: victim())
            stats.dropped += 1
        }
        stats.framesHeld = entries.count
        stats.peakBytes = max(stats.peakBytes, stats.bytes)
    }

    /// The `k` held frames most similar to `query` (a unit descriptor), leaving out the `excludeRecent` most
    /// recently evicted ones (LongLive-RAG leaves out 5: frames that just left the window resemble it, and the
    /// block attends to the window anyway).
    /// Ranked by cosine, ties to the lower position; returned in position order, each counted as retrieved.
    public mutating func topK(query: [Float], k: Int, excludeRecent: Int) -> [Match] {
        precondition(query.count == dimension, "MemoryBank.topK: a query of \(query.count) values for \(dimension)-d descriptors")
        let n = entries.count, excluded = max(0, excludeRecent)
        stats.queries += 1
        guard k > 0, n > excluded else { return [] }
        // Entries with a sequence at or above this are among the `excluded` most recent.
        let firstExcluded = excluded > 0 ? sequences[n - excluded] : Int.max
        var scores = [Float](repeating: 0, count: n)
        descriptors.withUnsafeBufferPointer { d in
            query.withUnsafeBufferPointer { q in
                scores.withUnsafeMutableBufferPointer { s in
                    BLAS.sgemv(.none, m: n, n: dimension, a: d.baseAddress!, lda: dimension, x: q.baseAddress!, y: s.baseAddress!)
                }
            }
        }
        var best = BestMatches(k: k)
        for i in 0..<n where slots[i].sequence < firstExcluded {
            slots[i].offered = true
            best.offer(.init(score: scores[i], position: slots[i].position, sequence: slots[i].sequence, slot: i))
        }
        stats.retrievals += best.best.count
        return best.best.sorted { ($0.position, $0.sequence) < ($1.position, $1.sequence) }.map { c in
            slots[c.slot].retrievals += 1
            return Match(frame: entries[c.slot].frame, score: c.score, sequence: c.sequence)
        }
    }

    /// The slot the policy drops next. Only called with at least one entry held.
    private func victim() -> Int {
        var oldest = 0
        var least: Int?
        for i in 1..<slots.count where slots[i].sequence < slots[oldest].sequence { oldest = i }
        guard policy == .leastRetrieved else { return oldest }
        for i in 0..<slots.count where slots[i].offered {
            if let l = least, (slots[l].retrievals, slots[l].sequence) <= (slots[i].retrievals, slots[i].sequence) { continue }
            least = i
        }
        return least ?? oldest
    }

    /// Removes an entry by moving the last slot (and its descriptor row) into its place.
    private mutating func remove(slot: Int) {
        let last = entries.count - 1
        let gone = entries[slot]
        stats.bytes -= gone.bytes
        if let i = sequences.binarySearchIndex(of: gone.sequence) { sequences.remove(at: i) }
        if slot != last {
            entries[slot] = entries[last]
            slots[slot] = slots[last]
            let d = dimension
            descriptors.withUnsafeMutableBufferPointer { rows in
                for i in 0..<d { rows[slot * d + i] = rows[last * d + i] }
            }
        }
        entries.removeLast()
        slots.removeLast()
        descriptors.removeLast(dimension)
    }
}

private extension Array where Element == Int {
    /// Index of `value` in an ascending array, if present.
    func binarySearchIndex(of value: Int) -> Int? {
        var lo = 0, hi = count
        while lo < hi {
            let mid = (lo + hi) / 2
            if self[mid] < value { lo = mid + 1 } else { hi = mid }
        }
        return lo < count && self[lo] == value ? lo : nil
    }
}

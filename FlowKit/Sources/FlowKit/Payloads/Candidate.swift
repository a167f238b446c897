/// Where a packet sits in a search over candidate blocks (best-of-N with beams, speculative drafts).
///
/// A search generates several candidates for a block, each continuing one parent (a beam: a candidate
/// of the previous block that was kept). Every payload derived from a candidate (its latents, frames,
/// scores, K/V) carries the same tag, so nodes downstream keep per-candidate state apart and a
/// selection node can pair scores with what they score. Untagged packets are the plain single stream.
public struct Candidate: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Unique within a run: `block * idStride + index`.
    public var id: Int
    /// The kept candidate of the previous block this one continues; nil for the stream's first block.
    public var parent: Int?
    /// Block index the candidate generates.
    public var block: Int
    /// Index among its block's candidates, `0 ..< count`.
    public var index: Int
    /// Candidates generated for this block (all beams together): how many a selection waits for.
    public var count: Int

    /// Ids of one block's candidates never collide with the next block's while count <= idStride.
    public static let idStride = 1 << 16

    public init(block: Int, index: Int, count: Int, parent: Int?) {
        precondition(count >= 1 && count <= Self.idStride && (0..<count).contains(index), "Candidate: index \(index) of \(count)")
        self.id = block * Self.idStride + index
        self.parent = parent
        self.block = block
        self.index = index
        self.count = count
    }

    public var description: String { "candidate \(index + 1)/\(count) of block \(block)" }
}

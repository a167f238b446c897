/// A search's decision for one block (best-of-N with beams): which candidates live on as beams, best
/// first. The selection node sends it to the cache manager, which keeps exactly those candidates' K/V
/// and drops the others; the beams' contexts then go back to the denoiser on the loop's feedback edge.
/// Port type `beam_choice`.
public struct BeamChoice: PortPayload {
    public static var portType: PortType { "beam_choice" }

    /// The block the candidates generated.
    public var block: Int
    /// The kept candidates, best first; each becomes a beam of the next block.
    public var kept: [Candidate]
    /// The selection score of each kept candidate (same order).
    public var scores: [Float]

    public init(block: Int, kept: [Candidate], scores: [Float]) {
        precondition(!kept.isEmpty && kept.count == scores.count, "BeamChoice: \(kept.count) candidates, \(scores.count) scores")
        self.block = block
        self.kept = kept
        self.scores = scores
    }
}

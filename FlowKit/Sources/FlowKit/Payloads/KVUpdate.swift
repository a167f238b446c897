/// What the denoiser sends the cache manager. Port type `kv_update`.
public struct KVUpdate: PortPayload {
    public static var portType: PortType { "kv_update" }

    public enum Kind: String, Sendable, CaseIterable {
        /// The clean K/V of a freshly generated block: stored, then the window slides.
        case append
        /// The window's K/V recomputed under a new prompt: replaces exactly the window's entries.
        case recache
    }

    public var kind: Kind
    public var frames: [KVFrame]
    /// The block the update belongs to (for `recache`, the block about to be generated).
    public var block: Int
    /// Latent frames per block (the window slides by this much).
    public var blockFrames: Int
    /// Wall time the denoiser spent computing this update (re-cache cost), in seconds.
    public var computeSeconds: Double
    /// Search: the candidate an `append` holds, or the beam (kept candidate) a `recache` applies to; nil in a plain stream.
    public var candidate: Candidate?
    /// `append` under a context with `measureAttention`: for each visible cached frame's position (sink and window;
    /// retrieved memory frames are not in the cache and not reported), a tensor `[layers, heads, tokens of that
    /// frame]` holding the attention probability the block's clean (t = 0) pass queries put on each of the frame's
    /// key tokens, averaged over the queries (softmax over every key a query sees, prefix and own). Empty otherwise.
    public var attentionMass: [Int: Tensor]

    public init(kind: Kind, frames: [KVFrame], block: Int, blockFrames: Int, computeSeconds: Double = 0, candidate: Candidate? = nil,
                attentionMass: [Int: Tensor] = [:]) {
        self.kind = kind
        self.frames = frames
        self.block = block
        self.blockFrames = blockFrames
        self.computeSeconds = computeSeconds
        self.candidate = candidate
        self.attentionMass = attentionMass
    }
}

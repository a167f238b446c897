/// What the cache manager hands the denoiser before each block: the K/V it may attend to
/// (sink frames, then window frames, each ordered by position) and the policy for prompt switches.
/// Port type `kv_context`.
public struct KVContext: Sendable {
    public var sink: [KVFrame]
    public var window: [KVFrame]
    /// Whether a prompt switch recomputes the window's K/V under the new prompt (LongLive re-cache).
    public var recacheOnSwitch: Bool
    /// Index of the block this context is for.
    public var block: Int

    public init(sink: [KVFrame], window: [KVFrame], recacheOnSwitch: Bool, block: Int) {
        self.sink = sink
        self.window = window
        self.recacheOnSwitch = recacheOnSwitch
        self.block = block
    }

    /// The empty context of the first block.
    public static func empty(recacheOnSwitch: Bool = true) -> KVContext {
        KVContext(sink: [], window: [], recacheOnSwitch: recacheOnSwitch, block: 0)
    }

    /// Every visible frame ordered by position (sink first: sink positions are the oldest).
    public var frames: [KVFrame] { sink + window }
}

/// What the denoiser sends the cache manager. Port type `kv_update`.
public struct KVUpdate: Sendable {
    public enum Kind: String, Sendable {
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

    public init(kind: Kind, frames: [KVFrame], block: Int, blockFrames: Int, computeSeconds: Double = 0) {
        self.kind = kind
        self.frames = frames
        self.block = block
        self.blockFrames = blockFrames
        self.computeSeconds = computeSeconds
    }
}

/// A frame that left the cache, with its K/V (f32, as the attention saw them), for a memory retriever.
/// Port type `kv_eviction`.
public struct KVEviction: Sendable {
    public enum Reason: String, Sendable {
        /// Slid out of the attention window.
        case window
        /// Removed to stay under the byte budget.
        case budget
        /// Merged into the sink by the EMA-sink policy, then dropped.
        case mergedIntoSink = "merged-into-sink"
    }

    public var frame: KVFrame
    public var reason: Reason
    /// How many frames the cache manager has evicted so far, this one included.
    public var sequence: Int

    public init(frame: KVFrame, reason: Reason, sequence: Int) {
        self.frame = frame
        self.reason = reason
        self.sequence = sequence
    }
}

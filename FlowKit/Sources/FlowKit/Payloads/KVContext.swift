/// What the cache manager hands the denoiser before each block: the K/V it may attend to
/// (sink frames, then window frames, each ordered by position) and the policy for prompt switches.
/// Port type `kv_context`.
public struct KVContext: PortPayload {
    public static var portType: PortType { "kv_context" }

    public var sink: [KVFrame]
    public var window: [KVFrame]
    /// Whether a prompt switch recomputes the window's K/V under the new prompt (LongLive re-cache).
    public var recacheOnSwitch: Bool
    /// Index of the block this context is for.
    public var block: Int
    /// Search: the beam this context continues (the kept candidate of the previous block) and how many
    /// beams the block has; nil in a plain stream.
    public var beam: Candidate?
    public var beamCount: Int
    /// Frames retrieved from evicted history (memory.retriever): they join this block's attention input
    /// between the sink and the window, and never the cache. Empty without a retriever.
    public var memory: [KVFrame]
    /// The temporal RoPE slot the memory frames share in a position-free cache (LongLive-RAG: 0, the sink's).
    public var memorySlot: Int
    /// How many frames the cache manager had evicted when it made this context (the last `KVEviction.sequence`),
    /// so a retriever knows which evictions must reach its bank before it answers for this block.
    public var evictions: Int
    /// Whether the cache manager wants attention statistics back: the block's clean (t = 0) pass then reports how
    /// much attention its queries put on each cached key token (`KVUpdate.attentionMass`), for an importance-based
    /// policy (cache.manager's `compress: attention`).
    public var measureAttention: Bool

    public init(sink: [KVFrame], window: [KVFrame], recacheOnSwitch: Bool, block: Int, beam: Candidate? = nil, beamCount: Int = 1,
                memory: [KVFrame] = [], memorySlot: Int = 0, evictions: Int = 0, measureAttention: Bool = false) {
        self.sink = sink
        self.window = window
        self.recacheOnSwitch = recacheOnSwitch
        self.block = block
        self.beam = beam
        self.beamCount = beamCount
        self.memory = memory
        self.memorySlot = memorySlot
        self.evictions = evictions
        self.measureAttention = measureAttention
    }

    /// The empty context of the first block.
    public static func empty(recacheOnSwitch: Bool = true) -> KVContext {
        KVContext(sink: [], window: [], recacheOnSwitch: recacheOnSwitch, block: 0)
    }

    /// Every visible frame in attention order: sink, retrieved memory, window.
    public var frames: [KVFrame] { sink + memory + window }
}

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

    public init(sink: [KVFrame], window: [KVFrame], recacheOnSwitch: Bool, block: Int, beam: Candidate? = nil, beamCount: Int = 1) {
        self.sink = sink
        self.window = window
        self.recacheOnSwitch = recacheOnSwitch
        self.block = block
        self.beam = beam
        self.beamCount = beamCount
    }

    /// The empty context of the first block.
    public static func empty(recacheOnSwitch: Bool = true) -> KVContext {
        KVContext(sink: [], window: [], recacheOnSwitch: recacheOnSwitch, block: 0)
    }

    /// Every visible frame ordered by position (sink first: sink positions are the oldest).
    public var frames: [KVFrame] { sink + window }
}

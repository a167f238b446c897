import FlowKit

/// The cache manager's policy, as written in the graph.
public struct CachePolicy: Sendable {
    /// Latent frames at the stream's start kept for good (attention sinks).
    public var sinkFrames: Int
    /// Attention window in latent frames, the block being generated included (LongLive: 9 + sink 3 = 12).
    public var windowFrames: Int
    public var recacheOnSwitch: Bool
    /// Reward Forcing's EMA-sink: evicted frames are folded into the sink, sink = a*sink + (1-a)*evicted.
    public var emaSink: Bool
    public var emaAlpha: Float
    public var precision: KVPrecision
    /// Upper bound on stored K/V bytes; 0 means none.
    public var budgetBytes: Int

    public init(sinkFrames: Int = 3, windowFrames: Int = 9, recacheOnSwitch: Bool = true, emaSink: Bool = false,
                emaAlpha: Float = 0.999, precision: KVPrecision = .f32, budgetBytes: Int = 0) {
        self.sinkFrames = sinkFrames
        self.windowFrames = windowFrames
        self.recacheOnSwitch = recacheOnSwitch
        self.emaSink = emaSink
        self.emaAlpha = emaAlpha
        self.precision = precision
        self.budgetBytes = budgetBytes
    }
}

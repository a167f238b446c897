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
    /// Importance-based token compression (Deep Forcing's participative compression); nil: none.
    public var compression: KVCompression?

    public init(sinkFrames: Int = 3, windowFrames: Int = 9, recacheOnSwitch: Bool = true, emaSink: Bool = false,
                emaAlpha: Float = 0.999, precision: KVPrecision = .f32, budgetBytes: Int = 0, compression: KVCompression? = nil) {
        self.sinkFrames = sinkFrames
        self.windowFrames = windowFrames
        self.recacheOnSwitch = recacheOnSwitch
        self.emaSink = emaSink
        self.emaAlpha = emaAlpha
        self.precision = precision
        self.budgetBytes = budgetBytes
        self.compression = compression
    }
}

/// Deep Forcing's participative compression (`compress: attention`): each cached frame (sink included) is
/// compressed once, after `observe` blocks' clean-pass queries have reported how much attention they put on its
/// tokens (`KVUpdate.attentionMass`, summed over those blocks). In every layer and head it keeps the
/// `keptTokens` tokens of most mass (ties: the lower token index), in their original order, so its keys and
/// values become `[heads, m, headDim]`; heads may keep different tokens.
public struct KVCompression: Sendable, Equatable {
    /// Fraction of a frame's tokens kept, in (0, 1].
    public var keep: Double
    /// Blocks whose queries must have reported mass on a frame before it is compressed (>= 1).
    public var observe: Int

    public init(keep: Double = 0.5, observe: Int = 1) {
        precondition(keep > 0 && keep <= 1, "compression keep \(keep) must lie in (0, 1]")
        precondition(observe >= 1, "compression observe \(observe) must be at least 1")
        self.keep = keep
        self.observe = observe
    }

    /// ceil(keep * tokens), at least 1 (a product that lands a rounding error above an integer counts as it).
    public func keptTokens(_ tokens: Int) -> Int {
        guard tokens > 0 else { return 0 }
        return min(tokens, max(1, Int((keep * Double(tokens) - 1e-9).rounded(.up))))
    }

    /// The token indices one head keeps: the `m` of most mass (ties: lower index), ascending.
    static func selection(_ mass: UnsafeBufferPointer<Float>, keep m: Int) -> [Int] {
        let ranked = (0..<mass.count).sorted { a, b in mass[a] != mass[b] ? mass[a] > mass[b] : a < b }
        return ranked.prefix(m).sorted()
    }
}

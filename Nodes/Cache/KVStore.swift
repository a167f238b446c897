import FlowKit

/// The cache manager's state and policies, without any node plumbing (so tests drive it directly).
/// Holds the sink (the first `sinkFrames` positions) and a sliding window of the newest non-sink
/// frames, in storage precision, under an optional byte budget.
public struct KVStore: Sendable {
    public let policy: CachePolicy
    private(set) var sink: [StoredFrame] = []
    private(set) var window: [StoredFrame] = []
    /// Evicted frames waiting to be folded into the sink (EMA-sink).
    private var evictedForSink: [KVFrame] = []
    public private(set) var stats = CacheStats()
    private(set) var quantizationError = QuantizationError()

    public init(policy: CachePolicy) { self.policy = policy }

    public var sinkPositions: [Int] { sink.map(\.position) }
    public var windowPositions: [Int] { window.map(\.position) }
    public var bytes: Int { (sink + window).reduce(0) { $0 + $1.bytes } }
    public var f32Bytes: Int { (sink + window).reduce(0) { $0 + $1.f32Bytes } }
    public var quantizationMaxAbsError: Float { quantizationError.maxAbs }
    public var quantizationRelativeRMSError: Double { quantizationError.relativeRMS }

    /// The K/V the next block may attend to.
    public func context(block: Int) -> KVContext {
        KVContext(sink: sink.map(\.frame), window: window.map(\.frame), recacheOnSwitch: policy.recacheOnSwitch, block: block)
    }

    /// Stores a block's clean K/V, then slides the window and enforces the budget. Returns what left.
    public mutating func append(_ frames: [KVFrame], blockFrames: Int) throws -> [KVEviction] {
        for f in frames {
            let stored = store(f)
            if f.position < policy.sinkFrames { sink.append(stored) } else { window.append(stored) }
        }
        sink.sort { $0.position < $1.position }
        window.sort { $0.position < $1.position }
        var evicted: [KVEviction] = []
        // The next block sees the newest (window - block) frames besides the sink.
        let keep = max(0, policy.windowFrames - blockFrames)
        while window.count > keep {
            let old = window.removeFirst()
            if policy.emaSink && sink.count == policy.sinkFrames && policy.sinkFrames > 0 {
                evictedForSink.append(old.frame)
                evicted.append(record(old.frame, .mergedIntoSink))
                if evictedForSink.count == policy.sinkFrames { foldIntoSink() }
            } else {
                evicted.append(record(old.frame, .window))
            }
        }
        evicted += try enforceBudget()
        stats.appendedFrames += frames.count
        stats.peakBytes = max(stats.peakBytes, bytes)
        stats.peakF32Bytes = max(stats.peakF32Bytes, f32Bytes)
        return evicted
    }

    /// Replaces the window's K/V with a re-cache under a new prompt. The update must cover exactly
    /// the window: the sink keeps the old prompt's K/V (LongLive's global sink).
    public mutating func recache(_ frames: [KVFrame], seconds: Double) throws {
        let positions = frames.map(\.position).sorted()
        guard positions == windowPositions else {
            throw NodeError("re-cache covers positions \(positions) but the window holds \(windowPositions)")
        }
        window = frames.sorted { $0.position < $1.position }.map { store($0) }
        stats.recachePasses += 1
        stats.recacheFrames += frames.count
        stats.recacheSeconds += seconds
    }

    /// Sink <- a * sink + (1 - a) * evicted, slot by slot, for every layer's K and V.
    private mutating func foldIntoSink() {
        let a = policy.emaAlpha
        for j in 0..<sink.count {
            let s = sink[j].frame, e = evictedForSink[j]
            let keys = zip(s.keys, e.keys).map { Self.blend($0, $1, a) }
            let values = zip(s.values, e.values).map { Self.blend($0, $1, a) }
            let merged = KVFrame(position: s.position, keys: keys, values: values, latent: s.latent, promptGeneration: s.promptGeneration)
            sink[j] = StoredFrame(merged, precision: policy.precision)
        }
        evictedForSink.removeAll()
        stats.emaUpdates += 1
    }

    /// Evicts the oldest non-sink frames while over budget; a sink that alone exceeds it is an error.
    private mutating func enforceBudget() throws -> [KVEviction] {
        guard policy.budgetBytes > 0 else { return [] }
        var evicted: [KVEviction] = []
        while bytes > policy.budgetBytes && !window.isEmpty {
            evicted.append(record(window.removeFirst().frame, .budget))
        }
        if bytes > policy.budgetBytes {
            throw NodeError("the K/V budget of \(policy.budgetBytes) bytes cannot hold the \(sink.count) sink frame(s) (\(bytes) bytes); raise budget_mb or quantize")
        }
        return evicted
    }

    private mutating func store(_ f: KVFrame) -> StoredFrame {
        let stored = StoredFrame(f, precision: policy.precision)
        if policy.precision != .f32 {
            for (orig, s) in zip(f.keys + f.values, stored.keys + stored.values) { quantizationError.record(original: orig, stored: s.tensor) }
        }
        return stored
    }

    private mutating func record(_ frame: KVFrame, _ reason: KVEviction.Reason) -> KVEviction {
        stats.evictions += 1
        switch reason {
        case .window, .mergedIntoSink: stats.windowEvictions += 1
        case .budget: stats.budgetEvictions += 1
        }
        return KVEviction(frame: frame, reason: reason, sequence: stats.evictions)
    }

    static func blend(_ s: Tensor, _ e: Tensor, _ a: Float) -> Tensor {
        Tensor(shape: s.shape) { out in
            s.withUnsafeFloats { x in e.withUnsafeFloats { y in for i in 0..<out.count { out[i] = a * x[i] + (1 - a) * y[i] } } }
        }
    }
}

/// What the cache manager reports.
public struct CacheStats: Sendable {
    public var appendedFrames = 0
    public var evictions = 0
    public var windowEvictions = 0
    public var budgetEvictions = 0
    public var emaUpdates = 0
    public var recachePasses = 0
    public var recacheFrames = 0
    public var recacheSeconds = 0.0
    public var peakBytes = 0
    public var peakF32Bytes = 0
}

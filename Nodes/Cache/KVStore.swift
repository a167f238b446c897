import FlowKit

/// The cache manager's state and policies, without any node plumbing (so tests drive it directly).
/// Holds the sink (the first `sinkFrames` positions) and a sliding window of the newest non-sink
/// frames, in storage precision, under an optional byte budget.
public struct KVStore: Sendable {
    public let policy: CachePolicy
    // Settable in the module: a snapshot restores them (KVStore+Snapshot.swift).
    var sink: [StoredFrame] = []
    var window: [StoredFrame] = []
    /// Evicted frames waiting to be folded into the sink (EMA-sink).
    var evictedForSink: [KVFrame] = []
    public internal(set) var stats = CacheStats()
    private(set) var quantizationError = QuantizationError()

    public init(policy: CachePolicy) { self.policy = policy }

    public var sinkPositions: [Int] { sink.map(\.position) }
    public var windowPositions: [Int] { window.map(\.position) }
    public var bytes: Int { (sink + window).reduce(0) { $0 + $1.bytes } }
    /// Bytes the stored frames would take in f32 at full size (no quantization, no compression).
    public var f32Bytes: Int { (sink + window).reduce(0) { $0 + $1.f32Bytes } }
    /// Bytes the stored frames would take at full size in storage precision (what compression saves against).
    public var uncompressedBytes: Int { (sink + window).reduce(0) { $0 + $1.fullBytes } }
    /// Held tokens per layer and head of each stored frame, by position (sink, then window).
    public var tokensPerFrame: [Int: Int] { Dictionary(uniqueKeysWithValues: (sink + window).map { ($0.position, $0.tokens) }) }
    public var quantizationMaxAbsError: Float { quantizationError.maxAbs }
    public var quantizationRelativeRMSError: Double { quantizationError.relativeRMS }

    /// The K/V the next block may attend to.
    /// Under attention compression it asks for attention statistics while any stored frame is still uncompressed.
    public func context(block: Int) -> KVContext {
        KVContext(sink: sink.map(\.frame), window: window.map(\.frame), recacheOnSwitch: policy.recacheOnSwitch, block: block,
                  evictions: stats.evictions,
                  measureAttention: policy.compression != nil && (sink + window).contains { !$0.compressed })
    }

    /// Stores a block's clean K/V, then slides the window, compresses the frames observed enough (attention
    /// compression: `attentionMass` is the block's report on the frames it saw) and enforces the budget.
    /// Returns what left.
    public mutating func append(_ frames: [KVFrame], blockFrames: Int, attentionMass: [Int: Tensor] = [:]) throws -> [KVEviction] {
        if policy.compression != nil {
            try checkCompressible(frames)
            try observe(attentionMass)
        }
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
        if let compression = policy.compression {
            for i in sink.indices where !sink[i].compressed && sink[i].observations >= compression.observe {
                let frame = sink[i]
                sink[i] = compress(frame, compression)
            }
            for i in window.indices where !window[i].compressed && window[i].observations >= compression.observe {
                let frame = window[i]
                window[i] = compress(frame, compression)
            }
        }
        evicted += try enforceBudget()
        stats.appendedFrames += frames.count
        stats.peakBytes = max(stats.peakBytes, bytes)
        stats.peakF32Bytes = max(stats.peakF32Bytes, f32Bytes)
        stats.peakUncompressedBytes = max(stats.peakUncompressedBytes, uncompressedBytes)
        return evicted
    }

    /// Attention compression works on keys rotated at absolute positions; a position-free cache's keys are rotated
    /// by token grid coordinates at every call, which dropping tokens would misplace.
    private func checkCompressible(_ frames: [KVFrame]) throws {
        guard policy.compression != nil else { return }
        if policy.emaSink {
            throw NodeError("compress: attention cannot run with sink_update: ema (EMA blends frames elementwise and needs equal shapes)")
        }
        if let f = frames.first(where: { !$0.keysRotated }) {
            throw NodeError("compress: attention needs keys rotated at absolute positions, but frame \(f.position) holds position-free keys (a denoiser with positions: infinity); use positions: absolute or compress: none")
        }
    }

    /// Adds a block's attention report to the frames it covers; frames already compressed ignore it.
    private mutating func observe(_ masses: [Int: Tensor]) throws {
        for (position, mass) in masses.sorted(by: { $0.key < $1.key }) {
            let inSink = sink.firstIndex { $0.position == position }
            let inWindow = inSink == nil ? window.firstIndex { $0.position == position } : nil
            guard inSink != nil || inWindow != nil else {
                throw NodeError("attention mass for frame \(position), which the cache does not hold (sink \(sinkPositions), window \(windowPositions))")
            }
            if let i = inSink { try Self.add(mass, to: &sink[i]) } else if let i = inWindow { try Self.add(mass, to: &window[i]) }
            stats.attentionReports += 1
        }
    }

    private static func add(_ mass: Tensor, to frame: inout StoredFrame) throws {
        guard !frame.compressed else { return }
        let expected = [frame.keys.count, frame.keys.first?.shape[0] ?? 0, frame.tokens]
        guard mass.shape == expected else {
            throw NodeError("attention mass for frame \(frame.position) has shape \(mass.shape); the cache holds [layers, heads, tokens] = \(expected)")
        }
        let values = mass.toArray()
        if var sum = frame.mass {
            for i in sum.indices { sum[i] += values[i] }
            frame.mass = sum
        } else {
            frame.mass = values
        }
        frame.observations += 1
    }

    /// Keeps, in every layer and head, the frame's tokens of most summed attention mass (in order), re-stored in
    /// the cache's precision. keep: 1 keeps the tensors as they are.
    private mutating func compress(_ original: StoredFrame, _ compression: KVCompression) -> StoredFrame {
        var frame = original
        guard let mass = frame.mass else { return frame }
        let tokens = frame.tokens, m = compression.keptTokens(tokens)
        let heads = frame.keys.first?.shape[0] ?? 0
        if m < tokens {
            let before = frame.bytes
            for l in frame.keys.indices {
                let selection: [[Int]] = mass.withUnsafeBufferPointer { all in
                    (0..<heads).map { h in
                        let start = (l * heads + h) * tokens
                        return KVCompression.selection(UnsafeBufferPointer(rebasing: all[start..<(start + tokens)]), keep: m)
                    }
                }
                frame.keys[l] = restore(Self.gather(frame.keys[l].tensor, selection))
                frame.values[l] = restore(Self.gather(frame.values[l].tensor, selection))
            }
            stats.compressionBytesSaved += before - frame.bytes
        }
        frame.compressed = true
        frame.mass = nil
        stats.compressedFrames += 1
        stats.compressedTokensKept += m
        stats.compressedTokensSeen += tokens
        return frame
    }

    /// A compressed tensor in storage precision. Re-quantizing dequantized values gives them back (int8 rows, and
    /// 4-bit blocks that lie within a row) up to rounding; any extra error is recorded.
    private mutating func restore(_ x: Tensor) -> StoredTensor {
        let stored = StoredTensor(x, precision: policy.precision)
        if policy.precision != .f32 { quantizationError.recordRequantization(original: x, stored: stored.tensor) }
        return stored
    }

    /// x [heads, tokens, dim] -> [heads, m, dim], head h taking tokens `selection[h]`.
    static func gather(_ x: Tensor, _ selection: [[Int]]) -> Tensor {
        let heads = x.shape[0], tokens = x.shape[1], dim = x.shape[2], m = selection.first?.count ?? 0
        precondition(selection.count == heads && selection.allSatisfy { $0.count == m }, "gather: one selection of equal size per head")
        return Tensor(shape: [heads, m, dim]) { out in
            x.withUnsafeFloats { src in
                for h in 0..<heads {
                    for (j, t) in selection[h].enumerated() {
                        let from = (h * tokens + t) * dim, to = (h * m + j) * dim
                        for d in 0..<dim { out[to + d] = src[from + d] }
                    }
                }
            }
        }
    }

    /// Replaces the window's K/V with a re-cache under a new prompt. The update must cover exactly
    /// the window: the sink keeps the old prompt's K/V (LongLive's global sink).
    public mutating func recache(_ frames: [KVFrame], seconds: Double) throws {
        let positions = frames.map(\.position).sorted()
        guard positions == windowPositions else {
            throw NodeError("re-cache covers positions \(positions) but the window holds \(windowPositions)")
        }
        // Recomputed from the latents at full size: these frames compress again once observed.
        try checkCompressible(frames)
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
            let merged = KVFrame(position: s.position, keys: keys, values: values, latent: s.latent, promptGeneration: s.promptGeneration,
                                 keysRotated: s.keysRotated)
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
    /// Peak of the stored frames' size in f32 at full size (neither quantized nor compressed).
    public var peakF32Bytes = 0
    /// Peak of the stored frames' size at full size in storage precision (what compression saves against).
    public var peakUncompressedBytes = 0
    /// Attention compression: frames compressed, their tokens per layer and head before and after (summed), bytes
    /// the compression freed, and frame reports of attention mass received.
    public var compressedFrames = 0
    public var compressedTokensSeen = 0
    public var compressedTokensKept = 0
    public var compressionBytesSaved = 0
    public var attentionReports = 0
}

import FlowKit

/// The cache's contents in a session snapshot, in storage precision exactly as held (int8 codes and scales,
/// 4-bit nibbles), so a resumed session attends to bit-identical K/V.
extension KVStore {
    func save(into state: inout NodeState) {
        state.ints["sink.count"] = sink.count
        state.ints["window.count"] = window.count
        state.ints["pending.count"] = evictedForSink.count
        for (i, f) in sink.enumerated() { f.save(into: &state, prefix: "sink.\(i)") }
        for (i, f) in window.enumerated() { f.save(into: &state, prefix: "window.\(i)") }
        for (i, f) in evictedForSink.enumerated() {
            StoredFrame(f, precision: .f32).save(into: &state, prefix: "pending.\(i)")
        }
        for (name, path) in Self.statCounters { state.ints["stats.\(name)"] = stats[keyPath: path] }
        state.doubles["stats.recacheSeconds"] = stats.recacheSeconds
    }

    mutating func restore(from state: NodeState) throws {
        let limit = 1_000_000
        func count(_ key: String) throws -> Int {
            let n = try state.int(key)
            guard (0...limit).contains(n) else { throw NodeError("snapshot state '\(key)' is \(n)") }
            return n
        }
        let precision = policy.precision
        sink = try (0..<count("sink.count")).map { try StoredFrame(restoring: state, prefix: "sink.\($0)", precision: precision) }
        window = try (0..<count("window.count")).map { try StoredFrame(restoring: state, prefix: "window.\($0)", precision: precision) }
        evictedForSink = try (0..<count("pending.count")).map { try StoredFrame(restoring: state, prefix: "pending.\($0)", precision: .f32).frame }
        if sink.count > policy.sinkFrames {
            throw NodeError("the snapshot's cache holds \(sink.count) sink frames; this cache keeps \(policy.sinkFrames)")
        }
        for (name, path) in Self.statCounters { stats[keyPath: path] = try state.int("stats.\(name)") }
        stats.recacheSeconds = try state.double("stats.recacheSeconds")
    }

    private static var statCounters: [(String, WritableKeyPath<CacheStats, Int>)] { [
        ("appendedFrames", \.appendedFrames), ("evictions", \.evictions), ("windowEvictions", \.windowEvictions),
        ("budgetEvictions", \.budgetEvictions), ("emaUpdates", \.emaUpdates), ("recachePasses", \.recachePasses),
        ("recacheFrames", \.recacheFrames), ("peakBytes", \.peakBytes), ("peakF32Bytes", \.peakF32Bytes),
        ("peakUncompressedBytes", \.peakUncompressedBytes), ("compressedFrames", \.compressedFrames),
        ("compressedTokensSeen", \.compressedTokensSeen), ("compressedTokensKept", \.compressedTokensKept),
        ("compressionBytesSaved", \.compressionBytesSaved), ("attentionReports", \.attentionReports),
    ] }
}

extension StoredFrame {
    func save(into state: inout NodeState, prefix p: String) {
        state.ints["\(p).position"] = position
        state.ints["\(p).promptGeneration"] = promptGeneration
        state.ints["\(p).keysRotated"] = keysRotated ? 1 : 0
        state.ints["\(p).fullTokens"] = fullTokens
        state.ints["\(p).fullF32Bytes"] = fullF32Bytes
        state.ints["\(p).fullBytes"] = fullBytes
        state.ints["\(p).compressed"] = compressed ? 1 : 0
        state.ints["\(p).observations"] = observations
        state.ints["\(p).layers"] = keys.count
        if let latent { state.tensors["\(p).latent"] = latent }
        if let mass { state.tensors["\(p).mass"] = Tensor(shape: [mass.count], values: mass) }
        for l in keys.indices {
            keys[l].save(into: &state, prefix: "\(p).k\(l)")
            values[l].save(into: &state, prefix: "\(p).v\(l)")
        }
    }

    init(restoring state: NodeState, prefix p: String, precision: KVPrecision) throws {
        let layers = try state.int("\(p).layers")
        guard (0...10_000).contains(layers) else { throw NodeError("snapshot state '\(p).layers' is \(layers)") }
        position = try state.int("\(p).position")
        promptGeneration = try state.int("\(p).promptGeneration")
        keysRotated = try state.int("\(p).keysRotated") != 0
        fullTokens = try state.int("\(p).fullTokens")
        fullF32Bytes = try state.int("\(p).fullF32Bytes")
        fullBytes = try state.int("\(p).fullBytes")
        compressed = try state.int("\(p).compressed") != 0
        observations = try state.int("\(p).observations")
        latent = state.tensors["\(p).latent"]
        mass = try state.tensors["\(p).mass"].map { t in
            guard t.dtype == .f32 else { throw NodeError("snapshot state '\(p).mass' is \(t.dtype), not f32") }
            return t.toArray()
        }
        keys = try (0..<layers).map { try StoredTensor(restoring: state, prefix: "\(p).k\($0)", precision: precision) }
        values = try (0..<layers).map { try StoredTensor(restoring: state, prefix: "\(p).v\($0)", precision: precision) }
    }
}

extension StoredTensor {
    func save(into state: inout NodeState, prefix q: String) {
        switch self {
        case .f32(let t):
            state.tensors[q] = t
        case .int8(let x):
            state.tensors["\(q).codes"] = x.values
            state.tensors["\(q).scales"] = x.scales
            switch x.grouping {
            case .perBlock(let size): state.ints["\(q).block"] = size
            case .perChannel(let axis): state.ints["\(q).axis"] = axis
            }
        case .int4(let x):
            state.tensors["\(q).nibbles"] = x.packed
            state.tensors["\(q).scales"] = x.scales
            state.tensors["\(q).shape"] = Tensor(shape: [x.shape.count], dtype: .i32, fillBytes: { out in
                for (i, d) in x.shape.enumerated() { out.storeBytes(of: Int32(d), toByteOffset: 4 * i, as: Int32.self) }
            })
            state.ints["\(q).block"] = x.blockSize
        }
    }

    /// Checks sizes before building the quantized forms, whose initializers trap on inconsistent input.
    init(restoring state: NodeState, prefix q: String, precision: KVPrecision) throws {
        switch precision {
        case .f32:
            self = .f32(try state.tensor(q, dtype: .f32, shape: [nil, nil, nil]))
        case .int8:
            let codes = try state.tensor("\(q).codes", dtype: .i8, shape: [nil, nil, nil])
            let scales = try state.tensor("\(q).scales", dtype: .f32, shape: [nil, nil, nil])
            let block = try state.int("\(q).block")
            guard block > 0, codes.shape[2] % block == 0,
                  scales.shape == [codes.shape[0], codes.shape[1], codes.shape[2] / block] else {
                throw NodeError("snapshot state '\(q)': int8 codes \(codes.shape), scales \(scales.shape) and block \(block) disagree")
            }
            self = .int8(Int8Quantized(values: codes, scales: scales, grouping: .perBlock(size: block)))
        case .int4:
            let nibbles = try state.tensor("\(q).nibbles", dtype: .u8, shape: [nil])
            let scales = try state.tensor("\(q).scales", dtype: .f32, shape: [nil])
            let shapeTensor = try state.tensor("\(q).shape", dtype: .i32, shape: [3])
            let shape = shapeTensor.withUnsafeBytes { raw in (0..<3).map { Int(raw.loadUnaligned(fromByteOffset: 4 * $0, as: Int32.self)) } }
            let block = try state.int("\(q).block")
            let count = shape.allSatisfy { $0 >= 0 } ? Tensor.elementCount(shape) : -1
            guard count >= 0, block > 0, block % 2 == 0, count % block == 0,
                  nibbles.count == count / 2, scales.count == count / block else {
                throw NodeError("snapshot state '\(q)': 4-bit nibbles \(nibbles.shape), scales \(scales.shape), shape \(shape) and block \(block) disagree")
            }
            self = .int4(Int4BlockQuantized(packed: nibbles, scales: scales, shape: shape, blockSize: block))
        }
    }
}

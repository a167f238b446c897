import FlowKit

/// The bank in a session snapshot, K/V in storage precision exactly as held, with each frame's descriptor,
/// retrieval count and eviction sequence, so a resumed session retrieves what an unbroken one would.
extension MemoryBank {
    func save(into state: inout NodeState) {
        state.ints["bank.count"] = entries.count
        state.ints["bank.lastSequence"] = lastSequence
        state.tensors["bank.descriptors"] = Tensor(shape: [entries.count, dimension], values: descriptors)
        for (name, path) in Self.statCounters { state.ints["bank.stats.\(name)"] = stats[keyPath: path] }
        for (i, e) in entries.enumerated() {
            let p = "bank.\(i)"
            state.ints["\(p).position"] = e.position
            state.ints["\(p).promptGeneration"] = e.promptGeneration
            state.ints["\(p).keysRotated"] = e.keysRotated ? 1 : 0
            state.ints["\(p).sequence"] = e.sequence
            state.ints["\(p).retrievals"] = slots[i].retrievals
            state.ints["\(p).offered"] = slots[i].offered ? 1 : 0
            state.ints["\(p).layers"] = e.keys.count
            for l in e.keys.indices {
                e.keys[l].save(into: &state, prefix: "\(p).k\(l)")
                e.values[l].save(into: &state, prefix: "\(p).v\(l)")
            }
        }
    }

    mutating func restore(from state: NodeState) throws {
        let count = try state.int("bank.count")
        guard (0...10_000_000).contains(count) else { throw NodeError("snapshot state 'bank.count' is \(count)") }
        let table = try state.tensor("bank.descriptors", dtype: .f32, shape: [count, dimension])
        var restored: [BankEntry] = []
        var restoredSlots: [BankSlot] = []
        for i in 0..<count {
            let p = "bank.\(i)"
            let layers = try state.int("\(p).layers")
            guard (0...10_000).contains(layers) else { throw NodeError("snapshot state '\(p).layers' is \(layers)") }
            let keys = try (0..<layers).map { try BankTensor(restoring: state, prefix: "\(p).k\($0)", precision: precision) }
            let values = try (0..<layers).map { try BankTensor(restoring: state, prefix: "\(p).v\($0)", precision: precision) }
            let entry = BankEntry(position: try state.int("\(p).position"), promptGeneration: try state.int("\(p).promptGeneration"),
                                  keysRotated: try state.int("\(p).keysRotated") != 0, sequence: try state.int("\(p).sequence"),
                                  keys: keys, values: values, descriptorBytes: 4 * dimension)
            restored.append(entry)
            var slot = BankSlot(sequence: entry.sequence, position: entry.position)
            slot.retrievals = try state.int("\(p).retrievals")
            slot.offered = try state.int("\(p).offered") != 0
            restoredSlots.append(slot)
        }
        entries = restored
        slots = restoredSlots
        descriptors = table.toArray()
        sequences = restoredSlots.map(\.sequence).sorted()
        lastSequence = try state.int("bank.lastSequence")
        for (name, path) in Self.statCounters { stats[keyPath: path] = try state.int("bank.stats.\(name)") }
        guard stats.bytes == entries.reduce(0, { $0 + $1.bytes }), stats.bytes <= budgetBytes else {
            throw NodeError("the snapshot's memory bank holds \(entries.reduce(0) { $0 + $1.bytes }) bytes, its record says \(stats.bytes), this bank's budget is \(budgetBytes)")
        }
    }

    private static var statCounters: [(String, WritableKeyPath<BankStats, Int>)] { [
        ("added", \.added), ("framesHeld", \.framesHeld), ("bytes", \.bytes), ("peakBytes", \.peakBytes),
        ("dropped", \.dropped), ("queries", \.queries), ("retrievals", \.retrievals),
    ] }
}

extension BankEntry {
    /// An entry restored from a snapshot.
    init(position: Int, promptGeneration: Int, keysRotated: Bool, sequence: Int, keys: [BankTensor], values: [BankTensor],
         descriptorBytes: Int) {
        self.position = position
        self.promptGeneration = promptGeneration
        self.keysRotated = keysRotated
        self.sequence = sequence
        self.keys = keys
        self.values = values
        bytes = (keys + values).reduce(descriptorBytes) { $0 + $1.bytes }
    }
}

extension BankTensor {
    func save(into state: inout NodeState, prefix q: String) {
        switch self {
        case .f32(let t):
            state.tensors[q] = t
        case .int8(let x):
            state.tensors["\(q).codes"] = x.values
            state.tensors["\(q).scales"] = x.scales
        }
    }

    /// Checks sizes before building the quantized form, whose initializer traps on inconsistent input.
    init(restoring state: NodeState, prefix q: String, precision: BankPrecision) throws {
        switch precision {
        case .f32:
            self = .f32(try state.tensor(q, dtype: .f32, shape: [nil, nil, nil]))
        case .int8:
            let codes = try state.tensor("\(q).codes", dtype: .i8, shape: [nil, nil, nil])
            let scales = try state.tensor("\(q).scales", dtype: .f32, shape: [nil, nil, nil])
            let row = max(codes.shape[2], 1)
            guard scales.shape == [codes.shape[0], codes.shape[1], codes.shape[2] / row] else {
                throw NodeError("snapshot state '\(q)': int8 codes \(codes.shape) and scales \(scales.shape) disagree")
            }
            self = .int8(Int8Quantized(values: codes, scales: scales, grouping: .perBlock(size: row)))
        }
    }
}

import FlowKit
import FlowProtos
import FlowRecords

/// Rollout records to and from their wire bytes through the protobuf-c code generated from
/// Schemas/rollout.proto. Decoding checks the schema's rules too (format, steps, shapes, group size), so a
/// record that parses but makes no sense is an error, never a crash or a wrong tensor later.
enum RolloutRecordCoding {
    static func encode(_ h: RolloutFileHeaderRecord) -> [UInt8] {
        let memory = CAllocations()
        var m = Flowrun__RolloutFileHeader()
        flowrun__rollout_file_header__init(&m)
        m.format = memory.string(RolloutFileHeaderRecord.format)
        m.version = UInt32(RolloutFileHeaderRecord.version)
        m.graph = memory.string(h.graph)
        m.model = memory.string(h.model)
        m.weights = memory.string(h.weights)
        m.seed = Int64(h.seed)
        m.group_size = UInt32(h.groupSize)
        m.branching = memory.string(h.branching)
        m.reward = memory.string(h.reward)
        m.n_sigmas = h.sigmas.count
        m.sigmas = memory.array(h.sigmas)
        m.guidance = h.guidance
        m.block_frames = UInt32(h.blockFrames)
        return withUnsafePointer(to: &m.base) { ProtobufMessage.pack($0) }
    }

    static func encode(_ g: RolloutGroupRecord) -> [UInt8] {
        let memory = CAllocations()
        var m = Flowrun__RolloutGroup()
        flowrun__rollout_group__init(&m)
        m.block = UInt32(g.block)
        m.prompt = memory.string(g.prompt)
        m.prompt_generation = UInt64(max(g.promptGeneration, 0))
        m.text_states = memory.box(TensorRecord.header(g.textStates, name: "text_states", memory))
        m.reward_mean = g.rewardMean
        m.reward_std = g.rewardStd
        let rollouts: [Flowrun__Rollout] = g.rollouts.map { r in
            var c = Flowrun__Rollout()
            flowrun__rollout__init(&c)
            c.index = UInt32(r.index)
            c.states = memory.box(TensorRecord.header(r.states, name: "states", memory))
            c.predictions = memory.box(TensorRecord.header(r.predictions, name: "predictions", memory))
            let transitions: [Flowrun__Transition] = r.transitions.map { t in
                var x = Flowrun__Transition()
                flowrun__transition__init(&x)
                x.step = UInt32(t.step)
                x.sigma = t.sigma
                x.sigma_next = t.sigmaNext
                x.log_prob = t.logProb
                return x
            }
            c.n_transitions = transitions.count
            c.transitions = memory.boxes(transitions)
            c.n_visible_positions = r.visiblePositions.count
            c.visible_positions = memory.array(r.visiblePositions.map(Int64.init))
            c.reward = r.reward
            c.advantage = r.advantage
            c.kept = r.kept ? 1 : 0
            return c
        }
        m.n_rollouts = rollouts.count
        m.rollouts = memory.boxes(rollouts)
        return withUnsafePointer(to: &m.base) { ProtobufMessage.pack($0) }
    }

    static func decodeHeader(_ bytes: ArraySlice<UInt8>) throws -> RolloutFileHeaderRecord {
        try ProtobufMessage.unpack(bytes, as: withUnsafePointer(to: flowrun__rollout_file_header__descriptor) { $0 }) { base in
            let m = UnsafeMutableRawPointer(base).assumingMemoryBound(to: Flowrun__RolloutFileHeader.self).pointee
            let format = String(cString: m.format)
            guard format == RolloutFileHeaderRecord.format else {
                throw ProtobufMessage.Invalid("format '\(LogText.shortened(format))', expected '\(RolloutFileHeaderRecord.format)' (is this a rollout file?)")
            }
            guard m.version == UInt32(RolloutFileHeaderRecord.version) else {
                throw ProtobufMessage.Invalid("version \(m.version); this reader reads version \(RolloutFileHeaderRecord.version)")
            }
            guard m.group_size >= 1, m.n_sigmas >= 1, m.block_frames >= 1 else {
                throw ProtobufMessage.Invalid("group_size \(m.group_size), \(m.n_sigmas) sigmas, block_frames \(m.block_frames): each must be at least 1")
            }
            return RolloutFileHeaderRecord(graph: String(cString: m.graph), model: String(cString: m.model), weights: String(cString: m.weights),
                                           seed: Int(m.seed), groupSize: Int(m.group_size), branching: String(cString: m.branching),
                                           reward: String(cString: m.reward), sigmas: (0..<m.n_sigmas).map { m.sigmas[$0] },
                                           guidance: m.guidance, blockFrames: Int(m.block_frames))
        }
    }

    /// A group, checked against its file's header: G rollouts, one state and prediction per step, one
    /// transition per step after the first.
    static func decodeGroup(_ bytes: ArraySlice<UInt8>, header: RolloutFileHeaderRecord) throws -> RolloutGroupRecord {
        try ProtobufMessage.unpack(bytes, as: withUnsafePointer(to: flowrun__rollout_group__descriptor) { $0 }) { base in
            let m = UnsafeMutableRawPointer(base).assumingMemoryBound(to: Flowrun__RolloutGroup.self).pointee
            guard m.n_rollouts == header.groupSize else {
                throw ProtobufMessage.Invalid("block \(m.block): \(m.n_rollouts) rollouts, the header says groups of \(header.groupSize)")
            }
            let steps = header.sigmas.count
            let rollouts = try (0..<m.n_rollouts).map { i -> RolloutRecord in
                guard let r = m.rollouts[i]?.pointee else { throw ProtobufMessage.Invalid("block \(m.block): rollout \(i) missing") }
                let what = "block \(m.block) rollout \(i)"
                let states = try TensorRecord.tensor(r.states, what: "\(what) states", rank: 5)
                let predictions = try TensorRecord.tensor(r.predictions, what: "\(what) predictions", rank: 5)
                guard states.shape[0] == steps, predictions.shape == states.shape, states.shape[1] == header.blockFrames else {
                    throw ProtobufMessage.Invalid("\(what): states \(states.shape) and predictions \(predictions.shape); expected [\(steps), \(header.blockFrames), C, H, W] both")
                }
                guard r.n_transitions == steps - 1 else {
                    throw ProtobufMessage.Invalid("\(what): \(r.n_transitions) transitions, expected \(steps - 1) (one per step after the first)")
                }
                let transitions = try (0..<r.n_transitions).map { j -> TransitionRecord in
                    guard let t = r.transitions[j]?.pointee else { throw ProtobufMessage.Invalid("\(what): transition \(j) missing") }
                    return TransitionRecord(step: Int(t.step), sigma: t.sigma, sigmaNext: t.sigma_next, logProb: t.log_prob)
                }
                return RolloutRecord(index: Int(r.index), states: states, predictions: predictions, transitions: transitions,
                                     visiblePositions: (0..<r.n_visible_positions).map { Int(r.visible_positions[$0]) },
                                     reward: r.reward, advantage: r.advantage, kept: r.kept != 0)
            }
            return RolloutGroupRecord(block: Int(m.block), prompt: String(cString: m.prompt), promptGeneration: Int(clamping: m.prompt_generation),
                                      textStates: try TensorRecord.tensor(m.text_states, what: "block \(m.block) text_states", rank: 2),
                                      rollouts: rollouts, rewardMean: m.reward_mean, rewardStd: m.reward_std)
        }
    }
}

extension RolloutFile {
    /// Reads and checks a whole rollout file; any damage is a `RecordError` naming the record and its byte offset.
    public static func read(path: String) throws -> RolloutFile {
        var reader = try RecordReader(path: path)
        return try read(&reader)
    }

    public static func read(bytes: [UInt8], path: String = "<memory>") throws -> RolloutFile {
        var reader = RecordReader(bytes: bytes, path: path)
        return try read(&reader)
    }

    private static func read(_ reader: inout RecordReader) throws -> RolloutFile {
        guard let header = try reader.next(RolloutRecordCoding.decodeHeader) else {
            throw RecordError(.truncated, path: reader.path, record: 0, offset: 0, "empty file: no header record")
        }
        var groups: [RolloutGroupRecord] = []
        while let g = try reader.next({ try RolloutRecordCoding.decodeGroup($0, header: header) }) { groups.append(g) }
        return RolloutFile(header: header, groups: groups)
    }
}

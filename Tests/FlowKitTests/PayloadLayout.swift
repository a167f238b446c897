import FlowKit

/// A description of a public payload's layout that changes whenever a plugin compiled against the old one
/// would misread it: stored properties in order with their types, and size, stride and alignment.
enum PayloadLayout {
    static func describe<T>(_ sample: T) -> String {
        let fields = Mirror(reflecting: sample).children.map { child in
            "\(child.label ?? "_"): \(typeName(of: child.value))"
        }
        return "\(T.self) { \(fields.joined(separator: ", ")) } size \(MemoryLayout<T>.size) stride \(MemoryLayout<T>.stride) align \(MemoryLayout<T>.alignment)"
    }

    /// An enum's cases: a new case breaks a plugin's exhaustive switch.
    static func cases<E: CaseIterable & RawRepresentable>(_ type: E.Type) -> String where E.RawValue == String {
        "\(String(reflecting: E.self).split(separator: ".").suffix(2).joined(separator: ".")) cases \(E.allCases.map(\.rawValue).joined(separator: ", "))"
    }

    /// The static type of a stored value, also for a nil optional (Mirror sees the Optional itself).
    private static func typeName(of value: Any) -> String { String(describing: type(of: value)) }

    /// One sample of every public payload and of the packet that carries them.
    static var all: [String: String] {
        let t = Tensor(zeros: [1, 1, 1, 1])
        let frame = KVFrame(position: 0, keys: [t], values: [t], latent: nil, promptGeneration: 0)
        let samples: [String] = [
            describe(Packet(position: 0, payload: 0)),
            describe(LoopSeed()),
            describe(Prompt(text: "", startFrame: 0, generation: 0)),
            describe(FrameBatch(width: 1, height: 1, firstFrame: 0, fps: 1, rgb: [0, 0, 0])),
            describe(TextEmbedding(text: "", generation: 0, startFrame: 0, tokenIDs: [], tokenStates: t, sentence: t, truncated: false)),
            describe(LatentBlock(latents: t, firstLatentFrame: 0, promptGeneration: 0)),
            describe(frame),
            describe(KVContext(sink: [], window: [], recacheOnSwitch: true, block: 0)),
            describe(KVUpdate(kind: .append, frames: [], block: 0, blockFrames: 1)),
            describe(KVEviction(frame: frame, reason: .window, sequence: 0)),
            describe(RewardScores(firstFrame: 0, windowFrames: 4, promptGeneration: 0, logits: [0])),
            describe(Candidate(block: 0, index: 0, count: 1, parent: nil)),
            describe(BeamChoice(block: 0, kept: [Candidate(block: 0, index: 0, count: 1, parent: nil)], scores: [0])),
            describe(LayerRequest(block: 0, call: 0, hidden: t, modulation: t, positions: [], rotaryPositions: [], blockCausalFrames: 0,
                                  keysRotated: true, textKey: 0, textKeys: [], textValues: [], prefixKeys: nil, prefixValues: nil, wantsVelocity: true)),
            describe(LayerReply(block: 0, call: 0, velocity: nil, keys: [], values: [])),
            describe(SamplerTrajectory(block: 0, candidate: nil, sigmas: [1], states: [t], predictions: [t], visiblePositions: [],
                                       guidance: 1, promptGeneration: 0, seed: 0, weights: "denoiser")),
            describe(ShapeBindings()),
            describe(PortSpec("p", Int.self)),
            cases(Prompt.Mode.self),
            cases(KVUpdate.Kind.self),
            cases(KVEviction.Reason.self),
        ]
        return Dictionary(uniqueKeysWithValues: samples.map { (String($0.prefix { $0 != " " }), $0) })
    }
}

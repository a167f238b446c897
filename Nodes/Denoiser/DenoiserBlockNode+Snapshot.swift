import FlowKit

/// Where a resumed denoiser continues: the blocks done and the prompt in force. Its noise needs no saving:
/// each block's noise is drawn from (seed, block, step), so block k gets the same noise however it is reached.
struct ResumePoint {
    /// The first frame of the last block the saved session generated: the timeline entries at or before it had
    /// been applied there (and removed), so when the prompt source replays its timeline they are ignored.
    var lastAppliedFrame: Int

    /// Until the first context arrives: it must be for the block the denoiser resumes at.
    var awaitingContext = true

    func alreadyApplied(_ text: Conditioning) -> Bool { !text.live && text.startFrame <= lastAppliedFrame }
}

extension DenoiserBlockNode {
    /// The cache's first context after a resume serves the block the denoiser saved; anything else means the
    /// snapshot's nodes disagree (a session that was not drained), and generating would silently go wrong.
    func checkFirstContextAfterResume(_ context: KVContext) throws {
        guard resumed?.awaitingContext == true, block > 0 else { return }
        resumed?.awaitingContext = false
        guard context.block == block else {
            throw NodeError("the snapshot's cache serves block \(context.block) but its denoiser had generated \(block) blocks: the saved session's nodes disagree, so it cannot be resumed")
        }
    }
}

extension DenoiserBlockNode: SnapshotState {
    /// A resumed session may go on for more frames than the saved one asked for.
    public static var paramsFreeOnResume: Set<String> { ["frames"] }

    public func saveState() throws -> NodeState {
        if search != nil { throw NodeError("a search (candidates or beams) holds beams that snapshots do not carry yet") }
        if role != .generate { throw NodeError("speculative decoding (role: \(role.rawValue)) cannot be snapshotted yet") }
        if videoToVideo { throw NodeError("video-to-video (start: latents) cannot be snapshotted yet") }
        var state = NodeState()
        state.ints["block"] = block
        state.ints["recaches"] = recacheCount
        state.ints["warnedPosition"] = warnedPosition ? 1 : 0
        state.framesDone = block * framesPerBlock
        if let c = active?.conditioning {
            state.strings["prompt.text"] = c.text
            state.ints["prompt.generation"] = c.generation
            state.ints["prompt.startFrame"] = c.startFrame
            state.ints["prompt.live"] = c.live ? 1 : 0
            state.ints["prompt.nextTimelineFrame"] = c.nextTimelineFrame ?? -1
            state.tensors["prompt.tokens"] = c.tokens
            state.tensors["prompt.sentence"] = c.sentence
        }
        return state
    }

    public func restoreState(_ state: NodeState) throws {
        let done = try state.int("block")
        guard done >= 0 else { throw NodeError("snapshot state 'block' is \(done)") }
        guard done < totalBlocks else {
            throw NodeError("the snapshot's session already has \(done * framesPerBlock) frames and frames=\(totalBlocks * framesPerBlock) asks for none beyond them: set frames above \(done * framesPerBlock) to continue")
        }
        block = done
        recacheCount = try state.int("recaches")
        warnedPosition = try state.int("warnedPosition") != 0
        if state.strings["prompt.text"] != nil {
            let next = try state.int("prompt.nextTimelineFrame")
            let c = Conditioning(text: try state.string("prompt.text"), generation: try state.int("prompt.generation"),
                                 startFrame: try state.int("prompt.startFrame"),
                                 tokens: try state.tensor("prompt.tokens", dtype: .f32, shape: [nil, nil]),
                                 sentence: try state.tensor("prompt.sentence", dtype: .f32, shape: [nil]),
                                 live: try state.int("prompt.live") != 0, nextTimelineFrame: next >= 0 ? next : nil)
            active = (c, try c.context(for: sampler.model))
        }
        // Before any block there is nothing to skip: the replayed timeline starts the session as before.
        resumed = ResumePoint(lastAppliedFrame: done > 0 ? (done - 1) * framesPerBlock : -1)
    }
}

extension Conditioning {
    /// A prompt restored from a snapshot.
    init(text: String, generation: Int, startFrame: Int, tokens: Tensor, sentence: Tensor, live: Bool, nextTimelineFrame: Int?) {
        self.text = text
        self.generation = generation
        self.startFrame = startFrame
        self.tokens = tokens
        self.sentence = sentence
        self.live = live
        self.nextTimelineFrame = nextTimelineFrame
    }
}

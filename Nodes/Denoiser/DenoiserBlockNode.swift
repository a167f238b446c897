import Foundation
import FlowKit

/// `denoiser.block`: block-causal autoregressive generation with the world-tiny DiT. Each block
/// waits for its K/V context from the cache manager (a feedback edge, seeded for block 0), is
/// denoised in a few steps, and its clean K/V go back to the cache manager.
public final class DenoiserBlockNode: Node {
    public static let contract = NodeContract(
        type: "denoiser.block",
        summary: "Few-step block-causal denoising with a K/V cache (LongLive / Self-Forcing), re-cache on prompt switch",
        inputs: [
            PortSpec("text", TextEmbedding.self, doc: "prompt embeddings; a timeline prompt applies from its start frame, a live one from the next block"),
            PortSpec("cache", KVContext.self, doc: "K/V context for the next block from cache.manager (feedback edge; the seed means an empty cache)"),
            PortSpec("source", LatentBlock.self, required: false,
                     doc: "start: latents: LatentBlock per block (raw VAE space) with its startTimestep (noise.controller); block i uses the i-th"),
            PortSpec("verdict", DraftVerdict.self, required: false,
                     doc: "role: verify: speculative.gate's verdict on each drafted block (accepted: the block's K/V are written from the draft; rejected: the block is generated)"),
            PortSpec("final", LatentBlock.self, required: false,
                     doc: "role: draft: the target's output block (feedback edge): the drafter's cache takes its K/V, its own if the draft was kept"),
            PortSpec("behind", LayerReply.self, required: false,
                     doc: "layers: [0, k]: denoiser.layers' answer to each call (feedback edge)"),
        ],
        outputs: [
            PortSpec("latents", LatentBlock.self, doc: "LatentBlock per block, de-normalised for the VAE; position = block index (a search sends every candidate, tagged)"),
            PortSpec("ahead", LayerRequest.self, doc: "layers: [0, k]: each model call's hidden state after layer k, for denoiser.layers"),
            PortSpec("kv", KVUpdate.self, doc: "KVUpdate: a re-cache of the window (on a switch), then the block's clean K/V (a search: per beam and per candidate, tagged); when the context asks (measureAttention), with the attention its clean pass put on each cached frame's tokens"),
            PortSpec("trajectory", SamplerTrajectory.self,
                     doc: "search with trajectories: true: every candidate's sampler states and x0 predictions, tagged (GRPO rollouts, rollout.writer)"),
        ],
        params: [
            ParamSpec("model", .path, default: .string("Models/world-tiny"), doc: "world-tiny folder (config.json, denoiser.safetensors)"),
            ParamSpec("weights", .choice(["denoiser", "drafter"]), default: .string("denoiser"), doc: "which DiT of the folder"),
            ParamSpec("frames", .int, default: .int(480), range: 1...100_000_000, doc: "video frames to generate (rounded up to whole blocks)"),
            ParamSpec("steps", .list(.int), default: .list([]), range: 1...1000, doc: "timesteps, e.g. [1000, 750, 500, 250]; empty: the model's"),
            ParamSpec("shift", .float, default: .float(0), range: 0...100, doc: "timestep shift; 0: the model's (5)"),
            ParamSpec("guidance", .float, default: .float(0), range: 0...30,
                      doc: "classifier-free guidance scale (1: off, costs a second model call's rows per step); 0: the model's (config.json sampler.guidance)"),
            ParamSpec("guidance_calls", .choice(["batched", "separate"]), default: .string("batched"),
                      doc: "batched: guidance's conditional and unconditional predictions in one model call; separate: two calls, as a denoiser split by layers makes them (then the two give the same bits)"),
            ParamSpec("seed", .int, default: .int(0), doc: "noise seed: the same seed and graph give the same frames"),
            ParamSpec("start", .choice(["noise", "latents"]), default: .string("noise"),
                      doc: "noise: text-to-video from pure noise; latents: video-to-video, each block re-noised from `source` to its start timestep, then the schedule's remaining steps"),
            ParamSpec("role", .choice(["generate", "draft", "verify"]), default: .string("generate"),
                      doc: "speculative decoding (SDVG): draft writes blocks whose K/V wait for the target's `final` block; verify (the target) keeps an accepted draft with one t = 0 pass and generates a rejected block; generate: neither"),
            ParamSpec("candidates", .int, default: .int(1), range: 1...256,
                      doc: "best-of-N search: candidates per beam and block, generated in one batched call; writing it (or beams) makes this a search: every output is tagged and cache.manager needs a `choice` input (search.select)"),
            ParamSpec("beams", .int, default: .int(1), range: 1...64, doc: "search: beams kept per block (most the selection may keep; set search.select's beams the same)"),
            ParamSpec("positions", .choice(PositionMode.allCases.map(\.rawValue)), default: .string("absolute"),
                      doc: "absolute: RoPE at each frame's absolute position, keys cached rotated (as trained; past the trained positions it extrapolates); infinity: keys cached before RoPE and rotated by slot in [sink | memory | window | block] every call (LongLive), so no run leaves the trained positions"),
            ParamSpec("layers", .list(.int), default: .list([]), range: 0...10_000,
                      doc: "[0, k]: run only the first k layers of each model call here and the rest in denoiser.layers (outputs `ahead`, input `behind`), e.g. on another MPI rank; empty: all layers"),
            ParamSpec("noise_share", .float, default: .float(0.5), range: 0...1,
                      doc: "search: a candidate's initial noise is share * its parent's + sqrt(1 - share^2) * fresh (Stream-T1's noise propagation)"),
            .precision,
            ParamSpec("trajectories", .bool, default: .bool(false),
                      doc: "search: send every candidate's sampler trajectory (states and x0 predictions of each step) on `trajectory`, for GRPO rollouts"),
            ParamSpec("branching", .choice(["noise", "kv-routing"]), default: .string("noise"),
                      doc: "search: noise: candidates differ by their noise draws; kv-routing (KVPO): they share candidate 0's draws and each keeps every window frame of the history with probability kv_keep (candidate 0 keeps all)"),
            ParamSpec("kv_keep", .float, default: .float(0.5), range: 0...1,
                      doc: "branching: kv-routing: probability that a candidate attends to a given window frame (the sink always stays)"),
        ],
        compute: .heavy)

    /// Latent channels and size come from the model's config.json, so another model's latents are a
    /// compile error at the `model:` line.
    public static func shapeBindings(_ params: Params) -> ShapeBindings {
        ModelFolder.shapeBindings(params) { folder in
            let c = try folder.section(params.string("weights"))
            let size = try c.int("latent_hw")
            return ["C": try c.int("latent_channels"), "H": size, "W": size]
        }
    }

    /// An absolute model path is checked before the run; a relative one depends on the graph's folder,
    /// which only `init` knows (it fails there, before any frame, naming both places it looked).
    public static func check(_ params: Params) -> [ParamProblem] {
        var problems = ModelFolder.check(params)
        if isSearch(params) && params.string("role") != "generate" {
            problems.append(ParamProblem(param: "role", "a search (candidates or beams written) cannot also be a speculative \(params.string("role"))er; use role: generate"))
        }
        problems += layerSplitProblems(params)
        if !isSearch(params) && (params.bool("trajectories") || params.string("branching") != "noise") {
            problems.append(ParamProblem(param: params.bool("trajectories") ? "trajectories" : "branching",
                                         "trajectories and kv-routing branches belong to a search; write candidates (GRPO: the group size)"))
        }
        if isSearch(params) && params.string("start") == "latents" {
            problems.append(ParamProblem(param: "candidates", "a search (candidates or beams written) is text-to-video only; video-to-video (start: latents) takes one candidate"))
        }
        return problems
    }

    /// A graph that writes `candidates` or `beams` is a search graph, even with one candidate of one beam
    /// (which then equals the plain stream, tagged).
    static func isSearch(_ params: Params) -> Bool { params.isWritten("candidates") || params.isWritten("beams") }

    let sampler: BlockSampler
    let noise: SeededNoise
    let totalBlocks: Int
    let framesPerBlock: Int

    private var pendingTexts: [Conditioning] = []
    private var textClosed = false
    var active: (conditioning: Conditioning, context: TextContext)?
    private var context: KVContext?
    var block = 0
    private(set) var blockSeconds: [Double] = []
    var recacheCount = 0
    var warnedPosition = false
    /// Resumed from a snapshot (DenoiserBlockNode+Snapshot.swift).
    var resumed: ResumePoint?
    /// Video-to-video: source blocks not yet denoised, and whether more can come.
    let videoToVideo: Bool
    private var pendingSources: [LatentBlock] = []
    private var sourceClosed = false
    /// Best-of-N search state; nil for a plain stream.
    var search: BlockSearch?
    /// Search: whether each candidate's sampler trajectory goes out on `trajectory` (GRPO rollouts).
    private(set) var recordsTrajectories = false
    private(set) var seed = 0
    private(set) var weightsName = "denoiser"
    /// Speculative decoding: this node's role, and its state for it.
    let role: SpeculativeRole
    var speculation = SpeculationState()
    let askedPrecision: Precision
    /// `layers: [0, k]`: the model calls' first layers, the rest in denoiser.layers; nil when this node runs them all.
    let splitFront: LayerSplitFront?

    public init(context: NodeContext) throws {
        let folder = try ModelFolder.locate(context.params.string("model"), baseDirectory: context.baseDirectory)
        askedPrecision = context.params.precision
        let model = try DiTModel(folder: folder, section: context.params.string("weights"), precision: askedPrecision)
        let defaults = model.config.sampler
        let steps = context.params.ints("steps")
        let shift = context.params.double("shift")
        let guidance = context.params.double("guidance")
        var sampler = BlockSampler(model: model,
                               schedule: FlowSchedule(steps: steps.isEmpty ? defaults.steps : steps, shift: shift > 0 ? shift : defaults.shift),
                               blockFrames: defaults.blockFrames,
                               guidance: try BlockSampler.Guidance(model: model, scale: guidance > 0 ? guidance : defaults.guidance),
                               positionMode: PositionMode(rawValue: context.params.string("positions")) ?? .absolute)
        sampler.batchesGuidance = context.params.string("guidance_calls") == "batched"
        self.sampler = sampler
        noise = SeededNoise(seed: UInt64(bitPattern: Int64(context.params.int("seed"))))
        let videoFramesPerLatent = 4
        framesPerBlock = defaults.blockFrames * videoFramesPerLatent
        totalBlocks = (context.params.int("frames") + framesPerBlock - 1) / framesPerBlock
        videoToVideo = context.params.string("start") == "latents"
        role = SpeculativeRole(rawValue: context.params.string("role")) ?? .generate
        splitFront = try Self.layerSplit(context.params, sampler: sampler)
        if Self.isSearch(context.params) {
            search = BlockSearch(perBeam: context.params.int("candidates"), maxBeams: context.params.int("beams"),
                                 noiseShare: Float(context.params.double("noise_share")),
                                 routing: context.params.string("branching") == "kv-routing"
                                    ? KVRouting(keep: Float(context.params.double("kv_keep")), seed: noise.seed) : nil)
            recordsTrajectories = context.params.bool("trajectories")
            seed = context.params.int("seed")
            weightsName = context.params.string("weights")
        }
    }

    public func process(_ packet: Packet, port: String, _ io: NodeIO) throws {
        switch port {
        case "text":
            let text = try Conditioning(packet)
            if resumed?.alreadyApplied(text) != true { pendingTexts.append(text) }
        case "cache":
            // Resumed, the cache manager sends the saved cache's context; the loop's seed would mean an empty one.
            if packet.payload is LoopSeed && resumed != nil && block > 0 { return }
            let received: KVContext = packet.payload is LoopSeed ? .empty() : try packet.value(as: KVContext.self)
            try checkFirstContextAfterResume(received)
            try sampler.positionMode.check(received)
            if search != nil { try search!.receive(received, block: block) } else { context = received }
        case "verdict":
            guard role == .verify else { throw NodeError("a draft verdict arrived but role is '\(role.rawValue)'; set role: verify on the target denoiser") }
            let verdict = try packet.value(as: DraftVerdict.self)
            speculation.verdicts[packet.position] = verdict
        case "final":
            guard role == .draft else { throw NodeError("a final block arrived but role is '\(role.rawValue)'; set role: draft on the drafter") }
            // The compiler seeds every feedback edge; the drafter's first block needs no final block.
            if packet.payload is LoopSeed { return }
            try commitDraft(final: try packet.value(as: LatentBlock.self), position: packet.position, io)
        case "behind":
            try receiveOutsideCall(packet)
            return
        case "source":
            guard videoToVideo else { throw NodeError("a source block arrived but start is 'noise'; set start: latents for video-to-video") }
            pendingSources.append(try packet.value(as: LatentBlock.self))
        default:
            throw NodeError("denoiser.block has no input '\(port)'")
        }
        try advance(io)
    }

    public func inputClosed(_ port: String, _ io: NodeIO) throws {
        if port == "text" {
            textClosed = true
            try advance(io)
            if active == nil && pendingTexts.isEmpty {
                throw NodeError("the text input closed before any prompt arrived")
            }
        } else if port == "cache" {
            io.endStream()
        } else if port == "source" {
            sourceClosed = true
            try advance(io)
            if pendingSources.isEmpty { io.endStream() }
        }
    }

    /// Runs the next block once its context and its prompt are known.
    private func advance(_ io: NodeIO) throws {
        if search != nil { return try advanceSearch(io) }
        guard block < totalBlocks, let ctx = context else { return }
        if videoToVideo && pendingSources.isEmpty { return }
        if role == .verify && speculation.verdicts[block] == nil { return }
        guard let next = try promptForBlock() else { return }
        let source = videoToVideo ? pendingSources.removeFirst() : nil
        context = nil
        let started = Date()
        var visible = AttentionPrefix(ctx)
        if try switchPrompt(to: next, io) {
            if next.conditioning.live && role != .draft {
                // Frames queued under the old prompt would show late: drop what the decoder has not started.
                // (Not a drafter's: the gate and the target wait for every drafted block.)
                let dropped = io.flushOutputs(["latents"])
                if dropped > 0 { io.log("prompt switch: flushed \(dropped) queued block(s) of the old prompt") }
            }
            if ctx.recacheOnSwitch && !ctx.window.isEmpty {
                visible.window = try recache(ctx, under: next, io)
            }
        }
        if role == .verify, let verdict = speculation.verdicts.removeValue(forKey: block) {
            speculation.decisions.append((block, verdict.accepted, verdict.reward))
            if verdict.accepted { return try keepDraft(verdict, text: next, visible: visible, started: started, io) }
        }
        let result: BlockSampler.BlockResult
        if let source {
            let start = try VideoToVideoStart(source, block: block, sampler: sampler)
            result = start.sampler.generate(block: block, noises: start.noises(noise), text: next.context, visible: visible)
        } else {
            let noises = (0...sampler.schedule.sigmas.count - 1).map { draw in noise.tensor(shape: sampler.blockShape, block: block, draw: draw) }
            if let splitFront {
                result = try splitFront.generate(block: block, noises: noises, text: next.context, visible: visible, link: LayerLink(io))
            } else {
                result = sampler.generate(block: block, noises: noises, text: next.context, visible: visible)
            }
        }
        let latents = sampler.model.config.latentNormalization.denormalize(result.x0)
        // Per-block time is the denoiser's own work: an emit can block on back-pressure (or, with
        // --sequential, run the decoder before returning), which is not denoising.
        let computeSeconds = Date().timeIntervalSince(started)
        let out = LatentBlock(latents: latents, firstLatentFrame: block * sampler.blockFrames, promptGeneration: next.conditioning.generation)
        if role == .draft {
            // The draft's K/V wait for the target's verdict (`final`); the cache must hold the kept history.
            speculation.draft = (block, out, result.frames, visible, next.context)
        } else {
            try io.emit("kv", Packet(position: block, payload: KVUpdate(kind: .append, frames: result.frames, block: block,
                                                                       blockFrames: sampler.blockFrames, attentionMass: result.attentionMass)))
        }
        try io.emit("latents", Packet(position: block, payload: out))
        if role == .verify { speculation.generatedSeconds.append(computeSeconds) }
        finishBlock(seconds: computeSeconds, io)
    }

    /// Counts a finished block and ends the stream after the last one.
    func finishBlock(seconds: Double, _ io: NodeIO) {
        blockSeconds.append(seconds)
        block += 1
        if block >= totalBlocks || (videoToVideo && sourceClosed && pendingSources.isEmpty) { io.endStream() }
    }

    /// Makes `next` the active prompt; true when it replaces another one (a switch), which is logged.
    func switchPrompt(to next: (conditioning: Conditioning, context: TextContext), _ io: NodeIO) throws -> Bool {
        defer { active = next }
        guard let previous = active else {
            io.log("block \(block): prompt \(next.conditioning.generation) \"\(LogText.shortened(next.conditioning.text))\"")
            warnIfPastTrainedPositions(io)
            return false
        }
        warnIfPastTrainedPositions(io)
        guard previous.conditioning.generation != next.conditioning.generation else { return false }
        io.log("block \(block): prompt \(next.conditioning.generation) \"\(LogText.shortened(next.conditioning.text))\"")
        return true
    }

    /// LongLive re-cache of `ctx`'s window under the new prompt, sent to the cache manager (tagged with
    /// the context's beam in a search); returns the window's new K/V.
    func recache(_ ctx: KVContext, under next: (conditioning: Conditioning, context: TextContext), _ io: NodeIO) throws -> [KVFrame] {
        let t0 = Date()
        let window = try sampler.recache(window: ctx.window, sink: ctx.sink, text: next.context)
        recacheCount += 1
        try io.emit("kv", Packet(position: block, payload: KVUpdate(kind: .recache, frames: window, block: block,
                                                                   blockFrames: sampler.blockFrames,
                                                                   computeSeconds: Date().timeIntervalSince(t0), candidate: ctx.beam)))
        return window
    }

    private func warnIfPastTrainedPositions(_ io: NodeIO) {
        // A position-free cache never leaves the slots of sink, window and block.
        if sampler.positionMode == .absolute && (block + 1) * sampler.blockFrames > sampler.model.config.sampler.maxTrainedPosition && !warnedPosition {
            warnedPosition = true
            io.log("block \(block): latent positions pass the trained range (\(sampler.model.config.sampler.maxTrainedPosition)); quality may drop from here")
        }
    }

    /// The prompt in force at the block's first frame, or nil while it cannot be known yet.
    /// Applicable prompts are live ones and timeline ones whose frame has come; the last to arrive
    /// wins. Timeline prompts still in the future stay pending (a typed switch does not cancel them).
    func promptForBlock() throws -> (conditioning: Conditioning, context: TextContext)? {
        let frame = block * framesPerBlock
        let applicable = pendingTexts.filter { $0.live || $0.startFrame <= frame }
        guard let conditioning = applicable.last ?? active?.conditioning else { return nil }
        // A timeline prompt names the frame of the next entry: if that entry is due but has not
        // arrived yet, wait for it rather than generate under the wrong prompt.
        if !conditioning.live, let due = conditioning.nextTimelineFrame, due <= frame, !textClosed {
            return nil
        }
        pendingTexts.removeAll { $0.live || $0.startFrame <= frame }
        if let active, active.conditioning.generation == conditioning.generation, active.conditioning.text == conditioning.text {
            return active
        }
        return (conditioning, try conditioning.context(for: sampler.model))
    }

    public func finish(_ io: NodeIO) throws {
        if let line = speculation.summary(role: role) { io.log(line) }
        if let splitFront { io.log(splitFront.summary) }
        guard !blockSeconds.isEmpty else { return }
        let sorted = blockSeconds.sorted()
        let p50 = sorted[sorted.count / 2], p99 = sorted[min(sorted.count - 1, Int(Double(sorted.count) * 0.99))]
        io.log(String(format: "%d blocks (%d frames), per block p50 %.1f ms p99 %.1f ms, %d re-cache pass(es), ",
                      block, block * framesPerBlock, p50 * 1000, p99 * 1000, recacheCount)
               + Precision.note(asked: askedPrecision, ran: sampler.model.precision))
    }
}

extension DenoiserBlockNode: ReportsPendingWork {
    /// Blocks not yet generated, prompts never applied, source blocks never denoised.
    public var pendingWork: [String] {
        var work: [String] = []
        if block < totalBlocks && !(videoToVideo && sourceClosed && pendingSources.isEmpty) {
            work.append("\(totalBlocks - block) of \(totalBlocks) block(s) not generated")
        }
        if !pendingTexts.isEmpty { work.append("\(pendingTexts.count) prompt(s) never applied (from frame \(pendingTexts.map(\.startFrame)))") }
        if !pendingSources.isEmpty { work.append("\(pendingSources.count) source block(s) never denoised") }
        return work
    }
}

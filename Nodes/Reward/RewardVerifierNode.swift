import Foundation
import FlowKit

/// `reward.verifier`: a rule-based, training-free scorer for the synthetic world, a drop-in alternative to
/// `reward.scorer` (same ports, same payloads, the same windows of 4 frames).
///
/// The prompt is read into expected attributes (`PromptAttributes`: background; per object colour, shape, size,
/// motion, in the words of both training vocabularies; unknown words are not checked); every frame is read
/// into observed ones by a port of the analyzer (`FrameAnalyzer`). A window's p is the fraction of the expected
/// attributes observed (`SceneChecks`, `AttributeTally`): background by majority over the window; per object
/// its colour in at least half the frames, its majority shape, its median size; its motion judged once per
/// batch on a longer track. The logit is log(p'/(1 - p')) with p' = p clamped to [0.01, 0.99], so the payload's
/// calibrated probability is p'.
///
/// Motion track: a plain stream's batch plus as many of the previous frames of the same prompt as make it a
/// block (12 frames; at most 8 earlier frames, none for a batch of 12 or more): on analyzer-validation clips a
/// block judges motion as well as a block with 8 more frames (98% against 97.5%), and a batch of 4 needs
/// history to be judged at all. A track under 6 frames leaves motion unchecked. A grow or shrink is expected
/// to be still once it has ended (24 frames after the prompt's first frame, as world.py draws it).
///
/// Candidates: a batch that carries a search candidate is scored on its own (its windows never join another
/// batch's) and without history, since the frames before it belong to its parent's lineage, which this node
/// does not track; its scores carry the same candidate.
///
/// Pairing with prompts is `reward.scorer`'s (`PromptPairing`): by the batch's prompt generation, the newest
/// prompt for frames without one, later batches waiting behind one whose prompt has not come.
public final class RewardVerifierNode: Node, ReportsPendingWork {
    public static let contract = NodeContract(
        type: "reward.verifier",
        summary: "Scores windows of 4 frames by the fraction of the prompt's attributes seen in them (rule-based, synthetic world)",
        inputs: [
            .input("frames", FrameBatch.self, doc: "frames of the world's size, any count per batch; promptGeneration pairs them with a prompt"),
            // Any width D: only the text is read, so the verifier follows whatever encoder feeds the graph.
            PortSpec("text", TextEmbedding.self, type: "embedding[f32; T, D]",
                     doc: "prompts, kept by generation; only the text is read (no token state is used), any encoder width"),
        ],
        outputs: [.output("scores", RewardScores.self,
                          doc: "one per frame batch, at its position: per window it completed, p' = clamp(fraction of the prompt's background, colour, shape, size and motion seen, 0.01, 0.99) and its logit; their mean")],
        params: [ParamSpec("model", .path, default: .string("Models/world-tiny"),
                           doc: "world-tiny folder: only config.json's world entry is read (frame size; the palette must be world.py's)")],
        compute: .light)

    /// reward.scorer's window (world-tiny's reward.frames), so the two scorers' windows line up.
    static let windowFrames = 4
    /// Motion is judged on tracks of at least a block of frames where history allows...
    static let trackFrames = 12
    /// ...taking at most this many frames from before the batch.
    static let maxHistory = 8

    public static func check(_ params: Params) -> [ParamProblem] { ModelFolder.check(params) }

    public static func shapeBindings(_ params: Params) -> ShapeBindings {
        ModelFolder.shapeBindings(params) { folder in
            let world = try WorldConfig(folder: folder)
            return ["H": world.height, "W": world.width]
        }
    }

    private let world: WorldConfig
    private let analyzer: FrameAnalyzer
    private let checks: SceneChecks
    private var pairing = PromptPairing<ExpectedScene>()
    /// The plain stream's windows (a window may span its batches, never a prompt switch or a gap).
    private var windows: FrameWindows
    /// The plain stream's latest analysed frames of the current prompt, contiguous: the start of a window that
    /// began in an earlier batch, and the motion track's history.
    private var recent: [(frame: Int, observation: FrameObservation)] = []
    private var recentGeneration: Int?
    /// The first frame seen under each prompt generation: where a grow or shrink began.
    private var generationStart: [Int: Int] = [:]
    private(set) var tally = AttributeTally()
    private var scoredWindows = 0
    private var probabilitySum = 0.0
    private var motionUnjudgedBatches = 0

    public init(context: NodeContext) throws {
        let folder = try ModelFolder.locate(context.params.string("model"), baseDirectory: context.baseDirectory)
        world = try WorldConfig(folder: folder)
        analyzer = FrameAnalyzer(width: world.width, height: world.height)
        checks = SceneChecks(judge: MotionJudge(width: Double(world.width), height: Double(world.height)))
        windows = FrameWindows(size: Self.windowFrames, width: world.width, height: world.height)
    }

    public func process(_ packet: Packet, port: String, _ io: NodeIO) throws {
        switch port {
        case "text":
            let embedding = try packet.value(as: TextEmbedding.self)
            do {
                pairing.add(prompt: try PromptAttributes.read(embedding.text), generation: embedding.generation)
            } catch {
                throw NodeError("prompt generation \(embedding.generation): \(error)")
            }
        default:
            let batch = try packet.value(as: FrameBatch.self)
            guard batch.width == world.width, batch.height == world.height else {
                throw NodeError("frames are \(batch.width)x\(batch.height); the world is \(world.width)x\(world.height)")
            }
            pairing.add(batch: batch, position: packet.position)
        }
        while let ready = pairing.next() { try score(ready, io) }
    }

    private func score(_ ready: PromptPairing<ExpectedScene>.Ready, _ io: NodeIO) throws {
        let batch = ready.batch, scene = ready.prompt
        let frameBytes = world.width * world.height * 3
        let observed = (0..<batch.count).map { f in
            (frame: batch.firstFrame + f, observation: analyzer.analyze(batch.rgb[(f * frameBytes)..<((f + 1) * frameBytes)]))
        }
        let start = min(generationStart[ready.generation] ?? batch.firstFrame, batch.firstFrame)
        generationStart = generationStart.filter { $0.key > ready.generation }
        generationStart[ready.generation] = start

        // The frames windows may draw on (contiguous, ending with the batch), the windows, the motion track.
        let available: [(frame: Int, observation: FrameObservation)]
        let run: FrameWindows.Run
        let track: ArraySlice<(frame: Int, observation: FrameObservation)>
        if batch.candidate != nil {
            var own = FrameWindows(size: Self.windowFrames, width: world.width, height: world.height)
            run = own.add(batch, generation: ready.generation)
            available = observed
            track = available[...]
        } else {
            if recentGeneration != ready.generation || recent.last.map({ $0.frame + 1 }) != batch.firstFrame { recent.removeAll() }
            recentGeneration = ready.generation
            run = windows.add(batch, generation: ready.generation)
            available = recent + observed
            track = available.suffix(batch.count + min(Self.maxHistory, max(0, Self.trackFrames - batch.count), recent.count))
            recent = Array(available.suffix(Self.maxHistory))
        }

        let verdict = checks.batchVerdict(scene, track: track.map(\.observation), trackOffset: (track.first?.frame ?? start) - start)
        if track.count < SceneChecks.minMotionFrames, scene.objects.contains(where: { $0.motion != nil }) { motionUnjudgedBatches += 1 }
        let logits: [Float] = (0..<run.count).map { k in
            let first = run.firstFrame + k * Self.windowFrames
            let from = first - available[0].frame
            let frames = available[from..<(from + Self.windowFrames)].map(\.observation)
            let judged = checks.judgeWindow(frames[...], scene, verdict, windowOffset: first - start)
            tally += judged
            let p = min(max(judged.fraction ?? 0, 0.01), 0.99)
            probabilitySum += p
            return Float(log(p / (1 - p)))
        }
        scoredWindows += run.count
        try io.emit("scores", Packet(position: ready.position, payload: RewardScores(
            firstFrame: run.firstFrame, windowFrames: Self.windowFrames, promptGeneration: ready.generation, logits: logits,
            candidate: batch.candidate)))
    }

    public var pendingWork: [String] { pairing.pendingWork }

    public func finish(_ io: NodeIO) throws {
        var notes = ["verified \(scoredWindows) window(s) of \(Self.windowFrames) frames"]
        if scoredWindows > 0 {
            notes[0] += String(format: ", mean p' %.3f; attributes seen: ", probabilitySum / Double(scoredWindows)) + tally.summary
        }
        if motionUnjudgedBatches > 0 { notes.append("motion not judged in \(motionUnjudgedBatches) batch(es) with a track under \(SceneChecks.minMotionFrames) frames") }
        if windows.droppedFrames > 0 { notes.append("dropped \(windows.droppedFrames) frame(s) of windows cut by a prompt switch or a gap") }
        if windows.partialFrames > 0 { notes.append("left \(windows.partialFrames) trailing frame(s) short of a window unscored") }
        if pairing.waitingCount > 0 { notes.append("\(pairing.waitingCount) batch(es) never got their prompt: " + pendingWork.joined(separator: "; ")) }
        io.log(notes.joined(separator: "; "))
    }
}

import FlowKit

/// `reward.scorer`: scores frames against the prompt they were made under with the world-tiny reward model.
///
/// Frames arrive in batches of any size and are scored in windows of the model's `frames` (4) consecutive
/// frames (`FrameWindows`: a window may span batches, never a prompt switch). Each batch is paired with the
/// embedding whose generation is its `promptGeneration` (frames read from a file, with none, take the newest
/// prompt received); a batch whose prompt has not arrived waits for it, and so does every batch after it,
/// so scores leave in frame order. Each batch gives one `RewardScores` at its position, holding the windows
/// it completed (none for a batch that only started one). At the end of the stream an unfinished window is
/// not scored: the model was trained on whole windows.
public final class RewardScorerNode: Node, ReportsPendingWork {
    public static let contract = NodeContract(
        type: "reward.scorer",
        summary: "Scores windows of 4 frames against the prompt they were made under (world-tiny reward model)",
        inputs: [
            .input("frames", FrameBatch.self, doc: "frames of the world's size, any count per batch; promptGeneration pairs them with a prompt"),
            PortSpec("text", TextEmbedding.self, type: "embedding[f32; T, D]",
                     doc: "prompt embeddings (token states), kept by generation; D is the reward model's text_dim, so a text encoder of another width is a compile error"),
        ],
        outputs: [.output("scores", RewardScores.self,
                          doc: "one per frame batch, at its position: logit and probability of each window it completed, and their mean")],
        params: [ParamSpec("model", .path, default: .string("Models/world-tiny"), doc: "world-tiny folder (config.json, reward.safetensors)")],
        compute: .heavy)

    public static func check(_ params: Params) -> [ParamProblem] { ModelFolder.check(params) }

    /// Frame size from the model's config, so frames of another size are an error at the `model:` line.
    public static func shapeBindings(_ params: Params) -> ShapeBindings {
        ModelFolder.shapeBindings(params) { folder in
            let config = try RewardConfig(folder: folder)
            return ["H": config.height, "W": config.width, "D": config.textDim]
        }
    }

    private let model: RewardModel
    private var windows: FrameWindows
    /// Batches waiting for their prompt, and each prompt's text embedding [1, dim], computed once when it arrives.
    private var pairing = PromptPairing<Tensor>()
    private var scoredWindows = 0

    public init(context: NodeContext) throws {
        let folder = try ModelFolder.locate(context.params.string("model"), baseDirectory: context.baseDirectory)
        model = try RewardModel(folder: folder)
        windows = FrameWindows(size: model.config.frames, width: model.config.width, height: model.config.height)
    }

    public func process(_ packet: Packet, port: String, _ io: NodeIO) throws {
        switch port {
        case "text":
            let embedding = try packet.value(as: TextEmbedding.self)
            let states = embedding.tokenStates
            guard states.rank == 2, states.shape[1] == model.config.textDim, states.shape[0] > 0 else {
                throw NodeError("prompt \(embedding.generation): token states \(states.shape), the reward model wants [T, \(model.config.textDim)]")
            }
            pairing.add(prompt: model.textEmbedding(states.converted(to: .f32)), generation: embedding.generation)
        default:
            let batch = try packet.value(as: FrameBatch.self)
            guard batch.width == model.config.width, batch.height == model.config.height else {
                throw NodeError("frames are \(batch.width)x\(batch.height); the reward model wants \(model.config.width)x\(model.config.height)")
            }
            pairing.add(batch: batch, position: packet.position)
        }
        try scoreReady(io)
    }

    /// Scores waiting batches in order while the first one's prompt is there.
    private func scoreReady(_ io: NodeIO) throws {
        while let ready = pairing.next() {
            let (batch, generation) = (ready.batch, ready.generation)
            let run: FrameWindows.Run
            if batch.candidate != nil {
                // A search candidate is scored on its own frames: its windows never join another candidate's.
                var own = FrameWindows(size: model.config.frames, width: model.config.width, height: model.config.height)
                run = own.add(batch, generation: generation)
            } else {
                run = windows.add(batch, generation: generation)
            }
            var logits: [Float] = []
            if run.count > 0 {
                let frames = run.count * model.config.frames
                let pixels = FramePixels.planar(run.rgb, count: frames, height: model.config.height, width: model.config.width)
                let stacked = pixels.reshaped([run.count, model.config.frames, 3, model.config.height, model.config.width])
                logits = model.logits(images: model.imageEmbedding(stacked), text: ready.prompt)
                scoredWindows += run.count
            }
            try io.emit("scores", Packet(position: ready.position, payload: RewardScores(
                firstFrame: run.firstFrame, windowFrames: model.config.frames, promptGeneration: generation, logits: logits,
                candidate: batch.candidate)))
        }
    }

    public var pendingWork: [String] { pairing.pendingWork }

    public func finish(_ io: NodeIO) throws {
        var notes = ["scored \(scoredWindows) window(s) of \(model.config.frames) frames"]
        if windows.droppedFrames > 0 { notes.append("dropped \(windows.droppedFrames) frame(s) of windows cut by a prompt switch or a gap") }
        if windows.partialFrames > 0 { notes.append("left \(windows.partialFrames) trailing frame(s) short of a window unscored") }
        if pairing.waitingCount > 0 { notes.append("\(pairing.waitingCount) batch(es) never got their prompt: " + pendingWork.joined(separator: "; ")) }
        io.log(notes.joined(separator: "; "))
    }
}

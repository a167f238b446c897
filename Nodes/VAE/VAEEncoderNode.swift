import FlowKit

/// `vae.encoder`: streaming encode of RGB frames into latent blocks with the causal temporal cache.
/// Frames arrive in batches of any size; every 4 frames make a latent frame (encoded as soon as they
/// are there, the cache carried across), every `block_frames` latent frames make a block, so the
/// stream equals a whole-sequence encode and the blocks line up with the denoiser's.
public final class VAEEncoderNode: Node {
    public static let contract = NodeContract(
        type: "vae.encoder",
        summary: "Streams RGB frames through the world-tiny VAE encoder (causal cache) into latent blocks",
        inputs: [PortSpec("frames", FrameBatch.self, doc: "FrameBatch of 64x64 RGB frames, any batch size")],
        outputs: [PortSpec("latents", LatentBlock.self, type: "latent[f32; F, C, h, w]",
                           doc: "LatentBlock of block_frames latent frames (raw VAE space); position = block index. A tail shorter than a block is dropped (logged)")],
        params: [
            ParamSpec("model", .path, default: .string("Models/world-tiny"), doc: "world-tiny folder (config.json, vae.safetensors)"),
            ParamSpec("block_frames", .int, default: .int(3), range: 1...1000, doc: "latent frames per emitted block (the denoiser's block size)"),
        ],
        compute: .heavy)

    public static func shapeBindings(_ params: Params) -> ShapeBindings {
        ModelFolder.shapeBindings(params, VAEConfig.shapeSymbols)
    }

    /// An absolute model path is checked before the run; a relative one depends on the graph's folder.
    public static func check(_ params: Params) -> [ParamProblem] { ModelFolder.check(params) }

    private let encoder: VAEEncoder
    private let blockFrames: Int
    private var cache: VAEEncoder.Cache
    /// Frames received but not yet encoded (fewer than one latent frame's worth after each batch).
    private var pendingRGB: [UInt8] = []
    /// Encoded latent frames `[1, C, 8, 8]` waiting for their block to fill.
    private var pendingLatents: [Tensor] = []
    private var block = 0
    private var framesIn = 0

    public init(context: NodeContext) throws {
        let folder = try ModelFolder.locate(context.params.string("model"), baseDirectory: context.baseDirectory)
        encoder = try VAEEncoder(folder: folder)
        blockFrames = context.params.int("block_frames")
        cache = encoder.emptyCache()
    }

    public func process(_ packet: Packet, port: String, _ io: NodeIO) throws {
        let batch = try packet.value(as: FrameBatch.self)
        let size = encoder.frameSize
        guard batch.width == size, batch.height == size else {
            throw NodeError("frames are \(batch.width)x\(batch.height); the encoder wants \(size)x\(size) (set video.source width/height)")
        }
        framesIn += batch.count
        pendingRGB.append(contentsOf: batch.rgb)
        let bytesPerLatent = encoder.framesPerLatent * size * size * 3
        // One latent frame at a time: the smallest unit the cache allows, and scratch memory stays small.
        var consumed = 0
        while pendingRGB.count - consumed >= bytesPerLatent {
            let video = FramePixels.planar(pendingRGB[consumed..<(consumed + bytesPerLatent)],
                                           count: encoder.framesPerLatent, height: size, width: size)
            pendingLatents.append(encoder.encode(video, cache: &cache))
            consumed += bytesPerLatent
            if pendingLatents.count == blockFrames { try emitBlock(io) }
        }
        pendingRGB.removeFirst(consumed)
    }

    private func emitBlock(_ io: NodeIO) throws {
        let latents = Tensor.concatenate(pendingLatents, dim: 0)
        pendingLatents.removeAll()
        try io.emit("latents", Packet(position: block, payload: LatentBlock(latents: latents, firstLatentFrame: block * blockFrames,
                                                                            promptGeneration: 0)))
        block += 1
    }

    public func finish(_ io: NodeIO) throws {
        let dropped = framesIn - block * blockFrames * encoder.framesPerLatent
        io.log("encoded \(block * blockFrames * encoder.framesPerLatent) frames into \(block) block(s)"
               + (dropped > 0 ? "; dropped a tail of \(dropped) frame(s) shorter than a block" : ""))
    }
}

/// The encoder as a library call, for tests and benchmarks: whole-sequence or streamed.
public struct VAEEncoderRunner {
    let encoder: VAEEncoder
    var cache: VAEEncoder.Cache

    public init(modelFolder: String) throws {
        encoder = try VAEEncoder(folder: try ModelFolder(path: modelFolder))
        cache = encoder.emptyCache()
    }

    /// Encodes video `[4n, 3, 64, 64]` in [-1, 1] continuing the stream; returns latents `[n, 16, 8, 8]`.
    public mutating func encode(_ video: Tensor) -> Tensor { encoder.encode(video, cache: &cache) }

    public mutating func reset() { cache = encoder.emptyCache() }
}

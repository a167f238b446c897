import FlowKit

/// `vae.decoder`: streaming decode of latent blocks into RGB frames with the causal temporal cache.
/// Each block is decoded one latent frame at a time, the cache carried across frames and blocks,
/// so the stream equals a whole-sequence decode. Search candidates (tagged blocks) each continue their
/// parent's cache, so a candidate's frames are exactly what its lineage decodes to.
public final class VAEDecoderNode: Node {
    public static let contract = NodeContract(
        type: "vae.decoder",
        summary: "Streams latent blocks through the world-tiny VAE decoder (causal cache) into RGB frames",
        inputs: [PortSpec("latents", LatentBlock.self, type: "latent[f32; F, C, h, w]",
                          doc: "LatentBlock (de-normalised latents, VAE space); position = block index; search candidates tagged")],
        outputs: [PortSpec("frames", FrameBatch.self,
                           doc: "FrameBatch of 4 video frames per latent frame, 64x64 RGB; position = block index")],
        params: [
            ParamSpec("model", .path, default: .string("Models/world-tiny"), doc: "world-tiny folder (config.json, vae.safetensors)"),
            ParamSpec("fps", .float, default: .float(16), range: 1...1000, doc: "frame rate carried with the frames"),
            .precision,
        ],
        compute: .heavy)

    public static func shapeBindings(_ params: Params) -> ShapeBindings {
        ModelFolder.shapeBindings(params, VAEConfig.shapeSymbols)
    }

    /// An absolute model path is checked before the run; a relative one depends on the graph's folder,
    /// which only `init` knows (it fails there, before any frame, naming both places it looked).
    public static func check(_ params: Params) -> [ParamProblem] { ModelFolder.check(params) }

    let decoder: VAEDecoder
    private let askedPrecision: Precision
    private let fps: Double
    var cache: VAEDecoder.Cache
    var nextFrame = 0
    var decodedLatentFrames = 0
    private var decodedCandidates = 0
    /// Search: the cache after each candidate of the newest two blocks, by candidate id.
    var candidateCaches: [Int: (block: Int, cache: VAEDecoder.Cache)] = [:]

    public init(context: NodeContext) throws {
        askedPrecision = context.params.precision
        decoder = try VAEDecoder(nodeContext: context)
        fps = context.params.double("fps")
        cache = decoder.emptyCache()
    }

    public func process(_ packet: Packet, port: String, _ io: NodeIO) throws {
        let block = try packet.value(as: LatentBlock.self)
        let z = block.latents.contiguous()
        guard z.shape[1] == decoder.latentChannels, z.shape[2] == 8, z.shape[3] == 8 else {
            throw NodeError("block \(packet.position): latents \(z.shape), expected [F, \(decoder.latentChannels), 8, 8]")
        }
        let video: Tensor
        var firstFrame = nextFrame
        if let tag = block.candidate {
            var lineage = try cacheContinued(by: tag)
            video = decode(z, cache: &lineage)
            candidateCaches = candidateCaches.filter { $0.value.block >= tag.block - 1 }
            candidateCaches[tag.id] = (tag.block, lineage)
            firstFrame = block.firstLatentFrame * decoder.framesPerLatent
            nextFrame = max(nextFrame, firstFrame + video.shape[0])
            decodedCandidates += 1
        } else {
            video = decode(z, cache: &cache)
            nextFrame += video.shape[0]
        }
        let rgb = FrameQuantizer.rgb24(video)
        let batch = FrameBatch(width: video.shape[3], height: video.shape[2], firstFrame: firstFrame, fps: fps, rgb: rgb,
                               promptGeneration: block.promptGeneration, candidate: block.candidate)
        try io.emit("frames", Packet(position: packet.position, payload: batch, meta: packet.meta))
    }

    /// The block's latent frames in one call: the frames leave together as one batch anyway, and whole-block
    /// layers pay their per-call costs once (the causal cache makes it equal to frame-by-frame decoding).
    private func decode(_ z: Tensor, cache: inout VAEDecoder.Cache) -> Tensor {
        decodedLatentFrames += z.shape[0]
        return decoder.decode(z, cache: &cache)
    }

    /// The cache a candidate continues: its parent's (kept from the previous block), or a fresh one.
    private func cacheContinued(by tag: Candidate) throws -> VAEDecoder.Cache {
        guard let parent = tag.parent else { return decoder.emptyCache() }
        guard let kept = candidateCaches[parent] else {
            throw NodeError("\(tag) continues candidate \(parent), whose latents were never decoded here")
        }
        return kept.cache
    }

    public func finish(_ io: NodeIO) throws {
        let frames = decodedLatentFrames * decoder.framesPerLatent
        let precision = Precision.note(asked: askedPrecision, ran: decoder.precision)
        if decodedCandidates > 0 {
            io.log("decoded \(decodedCandidates) candidate block(s), \(decodedLatentFrames) latent frames into \(frames) video frames (stream frames 0..<\(nextFrame)), \(precision)")
        } else {
            io.log("decoded \(decodedLatentFrames) latent frames into \(frames) video frames, \(precision)")
        }
    }
}

/// The decoder as a library call, for tests and benchmarks: whole-sequence or streamed.
public struct VAEDecoderRunner {
    let decoder: VAEDecoder
    var cache: VAEDecoder.Cache

    public init(modelFolder: String, precision: Precision = .f32) throws {
        decoder = try VAEDecoder(folder: try ModelFolder(path: modelFolder), precision: precision)
        cache = decoder.emptyCache()
    }

    /// Decodes latents `[n, C, 8, 8]` continuing the stream; returns video `[4n, 3, 64, 64]`.
    public mutating func decode(_ latents: Tensor) -> Tensor { decoder.decode(latents.contiguous(), cache: &cache) }

    public mutating func reset() { cache = decoder.emptyCache() }
}

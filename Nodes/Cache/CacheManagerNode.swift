import Foundation
import FlowKit

/// `cache.manager`: owns the K/V of every layer for the denoiser's loop. Stores each block's clean
/// K/V, slides the window past the sink, applies re-caches, and sends the next block's context.
public final class CacheManagerNode: Node {
    public static let contract = NodeContract(
        type: "cache.manager",
        summary: "K/V cache for block-causal generation: window + sink, re-cache on switch, EMA-sink, int8/4-bit storage, attention-based token compression, byte budget",
        inputs: [
            PortSpec("update", KVUpdate.self, doc: "KVUpdate from denoiser.block: re-caches and appended blocks"),
            PortSpec("choice", BeamChoice.self, required: false,
                     doc: "search graphs: search.select's choice per block; the kept candidates' K/V become the beams, whose contexts go back to the denoiser"),
        ],
        outputs: [
            PortSpec("context", KVContext.self, doc: "KVContext for the next block (connect back to denoiser.block's cache input with feedback: true)"),
            PortSpec("evicted", KVEviction.self, doc: "KVEviction for every frame that leaves the cache (for a memory retriever; none in a search graph)"),
        ],
        params: [
            ParamSpec("model", .path, default: .string(""),
                      doc: "the denoiser's model folder: window and sink default to what it was trained with, and a graph that departs from them gets a warning"),
            ParamSpec("weights", .choice(["denoiser", "drafter"]), default: .string("denoiser"), doc: "which DiT of the model folder the cache serves"),
            ParamSpec("window", .int, default: .int(9), range: 1...10_000, doc: "attention window in latent frames, the current block included (default: the model's, else 9)"),
            ParamSpec("sink", .int, default: .int(3), range: 0...10_000, doc: "latent frames at the start kept for good (default: the model's, else 3)"),
            ParamSpec("recache", .choice(["on-switch", "off"]), default: .string("on-switch"), doc: "recompute the window's K/V under a new prompt"),
            ParamSpec("sink_update", .choice(["keep", "ema"]), default: .string("keep"), doc: "keep the sink, or fold evicted frames into it (Reward Forcing EMA-sink)"),
            ParamSpec("ema_alpha", .float, default: .float(0.999), range: 0...1, doc: "EMA-sink weight of the old sink"),
            ParamSpec("quantize", .choice(KVPrecision.allCases.map(\.rawValue)), default: .string("none"), doc: "K/V storage: none (f32), int8, 4bit"),
            ParamSpec("budget_mb", .float, default: .float(0), range: 0...1_000_000, doc: "stored K/V limit in MiB; the oldest window frames go first; 0: none"),
            ParamSpec("compress", .choice(["none", "attention"]), default: .string("none"),
                      doc: "attention: Deep Forcing's participative compression: once `observe` blocks have attended to a cached frame (sink included), keep in every layer and head only its `keep` share of tokens they attended to most (needs positions: absolute; not with sink_update: ema or a search)"),
            ParamSpec("keep", .float, default: .float(0.5), range: 0...1, doc: "compress: attention: fraction of a frame's tokens kept per layer and head, in (0, 1] (ceil(keep * tokens))"),
            ParamSpec("observe", .int, default: .int(1), range: 1...10_000,
                      doc: "compress: attention: blocks whose queries rank a frame's tokens (their attention summed) before it is compressed"),
        ])

    public static func check(_ params: Params) -> [ParamProblem] {
        var problems: [ParamProblem] = []
        if !params.string("model").isEmpty { problems += ModelFolder.check(params) }
        let trained = TrainedWindow.read(params)
        let sink = trained?.resolve(params).sink ?? params.int("sink")
        if params.string("sink_update") == "ema" && sink == 0 { problems.append(ParamProblem(param: "sink_update", "EMA-sink needs sink > 0")) }
        if params.string("compress") == "attention" && params.string("sink_update") == "ema" {
            problems.append(ParamProblem(param: "compress", "compress: attention cannot run with sink_update: ema: EMA-sink blends evicted frames into the sink elementwise and needs frames of equal shape; use one of them"))
        }
        if params.double("keep") <= 0 { problems.append(ParamProblem(param: "keep", "keep must be above 0 (the fraction of a frame's tokens kept, in (0, 1])")) }
        return problems + (trained?.departures(params) ?? [])
    }

    public internal(set) var store: KVStore
    /// Per-beam stores once tagged (search) updates arrive.
    var search: BeamStores?
    /// Resumed from a snapshot: the block whose context `start` sends (the saved session had sent it last).
    var resumedBlock: Int?
    /// The block whose context was sent last (what a snapshot resumes with).
    var nextBlock = 0

    public init(context: NodeContext) throws {
        let p = context.params
        let (sink, window) = TrainedWindow.read(p)?.resolve(p) ?? (p.int("sink"), p.int("window"))
        store = KVStore(policy: CachePolicy(sinkFrames: sink, windowFrames: window,
                                            recacheOnSwitch: p.string("recache") == "on-switch",
                                            emaSink: p.string("sink_update") == "ema", emaAlpha: Float(p.double("ema_alpha")),
                                            precision: KVPrecision(rawValue: p.string("quantize")) ?? .f32,
                                            budgetBytes: Int(p.double("budget_mb") * 1024 * 1024),
                                            compression: p.string("compress") == "attention"
                                                ? KVCompression(keep: p.double("keep"), observe: p.int("observe")) : nil))
    }

    public func process(_ packet: Packet, port: String, _ io: NodeIO) throws {
        if port == "choice" {
            guard search != nil else { throw NodeError("a beam choice arrived, but the denoiser sent no search candidates") }
            try emitBeams(try search!.choose(try packet.value(as: BeamChoice.self)), io)
            return
        }
        let update = try packet.value(as: KVUpdate.self)
        if let tag = update.candidate {
            if store.policy.compression != nil {
                throw NodeError("compress: attention does not support a search (candidates or beams on the denoiser): its blocks report no attention; use compress: none")
            }
            if search == nil { search = BeamStores(root: store) }
            switch update.kind {
            case .append: try emitBeams(try search!.add(update, tag: tag), io)
            case .recache: try search!.recache(update, beam: tag)
            }
            return
        }
        guard search == nil else { throw NodeError("block \(update.block): an untagged K/V update in a search") }
        switch update.kind {
        case .recache:
            try store.recache(update.frames, seconds: update.computeSeconds)
        case .append:
            for eviction in try store.append(update.frames, blockFrames: update.blockFrames, attentionMass: update.attentionMass) {
                try io.emit("evicted", Packet(position: eviction.frame.position, payload: eviction))
            }
            nextBlock = update.block + 1
            let meta = ["kv_bytes": String(store.bytes), "kv_frames": String(store.sinkPositions.count + store.windowPositions.count)]
            try io.emit("context", Packet(position: update.block + 1, payload: store.context(block: update.block + 1), meta: meta))
        }
    }

    /// A search's next block: one context per kept beam.
    private func emitBeams(_ contexts: [KVContext], _ io: NodeIO) throws {
        for context in contexts {
            try io.emit("context", Packet(position: context.block, payload: context,
                                          meta: ["kv_bytes": String(search?.beamBytes ?? 0), "beams": String(context.beamCount)]))
        }
    }

    public func finish(_ io: NodeIO) throws {
        if let search {
            io.log("search: \(search.commits) block choice(s), \(search.droppedCandidates) candidate block(s) of K/V dropped")
            return
        }
        let s = store.stats
        var line = String(format: "%d frames stored, peak %.2f MiB (f32 would be %.2f MiB), %d evictions (%d window, %d budget), %d EMA-sink updates, %d re-cache pass(es) over %d frames in %.1f ms",
                          s.appendedFrames, Double(s.peakBytes) / 1_048_576, Double(s.peakF32Bytes) / 1_048_576,
                          s.evictions, s.windowEvictions, s.budgetEvictions, s.emaUpdates, s.recachePasses, s.recacheFrames, s.recacheSeconds * 1000)
        if store.policy.precision != .f32 {
            // The storage's own share: full-size frames in storage precision against f32.
            let saved = s.peakF32Bytes > 0 ? 100 * (1 - Double(s.peakUncompressedBytes) / Double(s.peakF32Bytes)) : 0
            line += String(format: "; %@ storage saves %.1f%%, K/V error max abs %.4g, relative RMS %.4g",
                           store.policy.precision.rawValue, saved, store.quantizationMaxAbsError, store.quantizationRelativeRMSError)
        }
        if let c = store.policy.compression {
            let saved = s.peakUncompressedBytes > 0 ? 100 * (1 - Double(s.peakBytes) / Double(s.peakUncompressedBytes)) : 0
            let total = s.peakF32Bytes > 0 ? 100 * (1 - Double(s.peakBytes) / Double(s.peakF32Bytes)) : 0
            let kept = s.compressedTokensSeen > 0 ? 100 * Double(s.compressedTokensKept) / Double(s.compressedTokensSeen) : 0
            line += String(format: "; attention compression (keep %.3g, observe %d): %d frames compressed, %d of %d tokens kept per layer and head (%.1f%%), %.2f MiB freed, peak %.2f MiB uncompressed: saves %.1f%% (%.1f%% against f32)",
                           c.keep, c.observe, s.compressedFrames, s.compressedTokensKept, s.compressedTokensSeen, kept,
                           Double(s.compressionBytesSaved) / 1_048_576, Double(s.peakUncompressedBytes) / 1_048_576, saved, total)
        }
        io.log(line)
    }
}

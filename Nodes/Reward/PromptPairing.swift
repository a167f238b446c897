import FlowKit

/// Pairs frame batches with the prompt they were made under, for a node that scores frames against prompts.
///
/// A batch is paired with the prompt whose generation is its `promptGeneration` (frames read from a file, with
/// none, take the newest prompt received). A batch whose prompt has not arrived waits for it, and so does every
/// batch after it, so results leave in frame order. Generations only grow, so a prompt older than the batch
/// just paired is dropped. `Prompt` is what the node keeps of a prompt (an embedding, the attributes it names).
/// (`reward.scorer` keeps embeddings, `reward.verifier` the attributes a prompt names.)
struct PromptPairing<Prompt: Sendable>: Sendable {
    struct Ready {
        var position: Int
        var batch: FrameBatch
        var generation: Int
        var prompt: Prompt
    }

    private var prompts: [Int: Prompt] = [:]
    private var newestGeneration: Int?
    /// Batches not paired yet, in arrival order: the first waits for its prompt.
    private var waiting: [(position: Int, batch: FrameBatch)] = []

    mutating func add(prompt: Prompt, generation: Int) {
        prompts[generation] = prompt
        newestGeneration = max(newestGeneration ?? generation, generation)
    }

    mutating func add(batch: FrameBatch, position: Int) { waiting.append((position, batch)) }

    /// The first waiting batch with its prompt, taken off the queue; nil while its prompt has not arrived.
    mutating func next() -> Ready? {
        guard let (position, batch) = waiting.first.map({ ($0.position, $0.batch) }),
              let generation = batch.promptGeneration ?? newestGeneration, let prompt = prompts[generation] else { return nil }
        waiting.removeFirst()
        prompts = prompts.filter { $0.key >= generation }
        return Ready(position: position, batch: batch, generation: generation, prompt: prompt)
    }

    var waitingCount: Int { waiting.count }

    /// One line per waiting batch, saying which prompt it waits for.
    var pendingWork: [String] {
        waiting.map { item in
            let frames = "frames \(item.batch.firstFrame)..<\(item.batch.firstFrame + item.batch.count)"
            if let g = item.batch.promptGeneration { return "\(frames) wait for the embedding of prompt generation \(g)" }
            return "\(frames) wait for a prompt embedding"
        }
    }
}

import FlowKit

/// The cache manager's state in a best-of-N search: one K/V store per beam, and per candidate of the
/// block being searched its beam's store with the candidate's block appended. A choice keeps the
/// chosen candidates' stores as the next beams and drops the rest, so a beam's cache is exactly the
/// K/V of its own history. Stores are values, and their frames' tensors are shared, not copied.
struct BeamStores {
    /// The store every first-block candidate starts from (empty, with the node's policy).
    private let root: KVStore
    private var beams: [Int: KVStore] = [:]
    private var pending: [Int: (tag: Candidate, store: KVStore)] = [:]
    private(set) var commits = 0
    private(set) var droppedCandidates = 0

    init(root: KVStore) { self.root = root }

    /// A candidate's clean K/V: its beam's store plus the block.
    mutating func append(_ update: KVUpdate, tag: Candidate) throws {
        var store: KVStore
        if let parent = tag.parent {
            guard let beam = beams[parent] else {
                throw NodeError("\(tag) continues candidate \(parent), which is not a kept beam (kept: \(beams.keys.sorted()))")
            }
            store = beam
        } else {
            store = root
        }
        // A search reports no evictions (nothing downstream of the cache consumes them in a search graph).
        _ = try store.append(update.frames, blockFrames: update.blockFrames)
        pending[tag.id] = (tag, store)
    }

    /// A beam's window re-cached under a new prompt.
    mutating func recache(_ update: KVUpdate, beam: Candidate) throws {
        guard var store = beams[beam.id] else { throw NodeError("re-cache for beam \(beam.id), which is not kept") }
        try store.recache(update.frames, seconds: update.computeSeconds)
        beams[beam.id] = store
    }

    /// A choice waiting for K/V still on their way (inputs on two ports need not arrive in order).
    private var waitingChoice: BeamChoice?

    /// Takes a choice; returns the new beams' contexts once every kept candidate's K/V is here, else
    /// none yet (`append` then returns them).
    mutating func choose(_ choice: BeamChoice) throws -> [KVContext] {
        guard waitingChoice == nil else { throw NodeError("the choice for block \(choice.block) came before block \(waitingChoice!.block)'s was applied") }
        waitingChoice = choice
        return try commitIfComplete()
    }

    /// Appends a candidate's K/V; returns the new beams' contexts if a waiting choice is now complete.
    mutating func add(_ update: KVUpdate, tag: Candidate) throws -> [KVContext] {
        try append(update, tag: tag)
        return try commitIfComplete()
    }

    private mutating func commitIfComplete() throws -> [KVContext] {
        guard let choice = waitingChoice, choice.kept.allSatisfy({ pending[$0.id] != nil }) else { return [] }
        waitingChoice = nil
        return try commit(choice)
    }

    /// Keeps the chosen candidates as beams; returns each new beam's context for the next block.
    mutating func commit(_ choice: BeamChoice) throws -> [KVContext] {
        var next: [Int: KVStore] = [:]
        var contexts: [KVContext] = []
        for tag in choice.kept {
            guard let chosen = pending[tag.id] else {
                throw NodeError("the choice for block \(choice.block) keeps \(tag), whose K/V never arrived")
            }
            next[tag.id] = chosen.store
            var context = chosen.store.context(block: choice.block + 1)
            context.beam = chosen.tag
            context.beamCount = choice.kept.count
            contexts.append(context)
        }
        droppedCandidates += pending.count - next.count
        beams = next
        pending.removeAll()
        commits += 1
        return contexts
    }

    /// Bytes held by the kept beams (candidates waiting for a choice not counted).
    var beamBytes: Int { beams.values.reduce(0) { $0 + $1.bytes } }
}

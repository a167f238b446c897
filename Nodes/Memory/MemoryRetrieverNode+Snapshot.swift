import FlowKit

/// What a query changes in the bank: each frame's retrieval count and whether it was offered yet, and the
/// totals. Kept from before the newest answer: when a session stops, the context of its next block has
/// usually been answered already and never used, and the resumed session asks for it again.
struct BankCounts {
    var block: Int
    var retrievals: [Int]
    var offered: [Bool]
    var stats: BankStats
}

extension MemoryBank {
    func counts(block: Int) -> BankCounts {
        BankCounts(block: block, retrievals: slots.map(\.retrievals), offered: slots.map(\.offered), stats: stats)
    }

    /// Sets the counts back (the entries are the same: only queries happened since).
    var counts: BankCounts {
        get { counts(block: -1) }
        set {
            guard newValue.retrievals.count == slots.count else { return }
            for i in slots.indices {
                slots[i].retrievals = newValue.retrievals[i]
                slots[i].offered = newValue.offered[i]
            }
            stats = newValue.stats
        }
    }
}

/// The retriever's bank in a session snapshot. Contexts still waiting for their evictions are not kept: the
/// cache manager sends the next block's context again when the session resumes, and if the saved session had
/// answered it already, the bank's counts go back to what they were before, so the answer counts once.
extension MemoryRetrieverNode: SnapshotState {
    public func saveState() throws -> NodeState {
        var state = NodeState()
        bank.save(into: &state)
        if let before = beforeLastAnswer, before.retrievals.count == bank.count {
            state.ints["rollback.block"] = before.block
            state.tensors["rollback.retrievals"] = Tensor(shape: [before.retrievals.count], values: before.retrievals.map(Float.init))
            state.tensors["rollback.offered"] = Tensor(shape: [before.offered.count], values: before.offered.map { $0 ? 1 : 0 })
            state.ints["rollback.queries"] = before.stats.queries
            state.ints["rollback.retrieved"] = before.stats.retrievals
        }
        return state
    }

    public func restoreState(_ state: NodeState) throws {
        try bank.restore(from: state)
        guard let block = state.ints["rollback.block"] else { return }
        let n = bank.count
        let retrievals = try state.tensor("rollback.retrievals", dtype: .f32, shape: [n]).toArray()
        let offered = try state.tensor("rollback.offered", dtype: .f32, shape: [n]).toArray()
        var stats = bank.stats
        stats.queries = try state.int("rollback.queries")
        stats.retrievals = try state.int("rollback.retrieved")
        resumeCounts = BankCounts(block: block, retrievals: retrievals.map { Int($0) }, offered: offered.map { $0 != 0 }, stats: stats)
    }
}

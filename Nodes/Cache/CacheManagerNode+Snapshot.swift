import FlowKit

/// The cache manager's K/V in a session snapshot. On resume it sends the context of the next block from
/// `start`, as the saved session last did, and the denoiser waits for that instead of the loop's seed.
extension CacheManagerNode: SnapshotState {
    public func saveState() throws -> NodeState {
        guard search == nil else {
            throw NodeError("a search (candidates or beams) keeps one cache per beam, which snapshots do not carry yet")
        }
        var state = NodeState()
        store.save(into: &state)
        state.ints["nextBlock"] = nextBlock
        return state
    }

    public func restoreState(_ state: NodeState) throws {
        try store.restore(from: state)
        resumedBlock = try state.int("nextBlock")
    }

    public func start(_ io: NodeIO) throws {
        guard let block = resumedBlock, block > 0 else { return }
        let meta = ["kv_bytes": String(store.bytes), "kv_frames": String(store.sinkPositions.count + store.windowPositions.count)]
        try io.emit("context", Packet(position: block, payload: store.context(block: block), meta: meta))
    }
}

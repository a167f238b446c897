import FlowKit

/// The decoder's causal cache in a session snapshot: the resumed stream decodes its next latent frame
/// against exactly the frames the saved session decoded last, so its pictures equal an unbroken run's.
extension VAEDecoderNode: SnapshotState {
    public func saveState() throws -> NodeState {
        guard candidateCaches.isEmpty else {
            throw NodeError("search candidates each continue their own decoder cache, which snapshots do not carry yet")
        }
        var state = NodeState()
        let stored = cache.channelsFirst
        state.tensors["cache.first"] = stored.first
        state.tensors["cache.second"] = stored.second
        state.ints["nextFrame"] = nextFrame
        state.ints["decodedLatentFrames"] = decodedLatentFrames
        state.framesDone = nextFrame
        return state
    }

    public func restoreState(_ state: NodeState) throws {
        let empty = decoder.emptyCache().channelsFirst
        let first = try state.tensor("cache.first", dtype: .f32, shape: empty.first.shape)
        let second = try state.tensor("cache.second", dtype: .f32, shape: empty.second.shape)
        cache = VAEDecoder.Cache(channelsFirst: first, second)
        nextFrame = try state.int("nextFrame")
        decodedLatentFrames = try state.int("decodedLatentFrames")
    }
}

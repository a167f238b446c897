/// A frame that left the cache, with its K/V (f32, as the attention saw them), for a memory retriever.
/// Port type `kv_eviction`.
public struct KVEviction: PortPayload {
    public static var portType: PortType { "kv_eviction" }

    public enum Reason: String, Sendable, CaseIterable {
        /// Slid out of the attention window.
        case window
        /// Removed to stay under the byte budget.
        case budget
        /// Merged into the sink by the EMA-sink policy, then dropped.
        case mergedIntoSink = "merged-into-sink"
    }

    public var frame: KVFrame
    public var reason: Reason
    /// How many frames the cache manager has evicted so far, this one included.
    public var sequence: Int

    public init(frame: KVFrame, reason: Reason, sequence: Int) {
        self.frame = frame
        self.reason = reason
        self.sequence = sequence
    }
}

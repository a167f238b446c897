import FlowKit

/// What a block attends to besides itself: the sink, frames retrieved from evicted history, and the window,
/// in that order (LongLive-RAG's [sink | memory | window]).
struct AttentionPrefix: Sendable {
    var sink: [KVFrame] = []
    var memory: [KVFrame] = []
    var window: [KVFrame] = []
    /// The temporal slot every memory frame takes in a position-free cache.
    var memorySlot = 0
    /// The cache manager asked for attention statistics (`KVContext.measureAttention`): a block's clean pass
    /// reports the attention mass its queries put on each cached frame's tokens.
    var measureAttention = false

    init(sink: [KVFrame] = [], memory: [KVFrame] = [], window: [KVFrame] = [], memorySlot: Int = 0, measureAttention: Bool = false) {
        self.sink = sink
        self.memory = memory
        self.window = window
        self.memorySlot = memorySlot
        self.measureAttention = measureAttention
    }

    init(_ context: KVContext) {
        self.init(sink: context.sink, memory: context.memory, window: context.window, memorySlot: context.memorySlot,
                  measureAttention: context.measureAttention)
    }

    /// A plain history in position order (sink frames first), without memory.
    init(history: [KVFrame]) { self.init(window: history) }

    var frames: [KVFrame] { sink + memory + window }
    var isEmpty: Bool { sink.isEmpty && memory.isEmpty && window.isEmpty }
    /// History frames (sink and window) take slots 0, 1, ... in order; the block's frames the slots after them.
    var historyCount: Int { sink.count + window.count }

    /// Each frame's RoPE slot in a position-free cache, in `frames` order.
    var slots: [Int] {
        Array(0..<sink.count) + [Int](repeating: memorySlot, count: memory.count)
            + Array(sink.count..<(sink.count + window.count))
    }

    /// Where each cached frame's key tokens lie in the prefix (`frames` order), by position: sink and window frames
    /// only, since retrieved memory frames are not in the cache. A frame's token count is its own (a compressed
    /// frame holds fewer than the model makes).
    var cachedTokenRanges: [(position: Int, tokens: Range<Int>)] {
        var out: [(position: Int, tokens: Range<Int>)] = []
        var offset = 0
        for (i, frame) in frames.enumerated() {
            let count = frame.keys.first?.shape[1] ?? 0
            let isMemory = i >= sink.count && i < sink.count + memory.count
            if !isMemory { out.append((frame.position, offset..<(offset + count))) }
            offset += count
        }
        return out
    }
}

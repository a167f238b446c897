/// The status message the page gets twice a second (JSON text on the WebSocket, also /status.json).
struct PreviewStatus: Encodable, Sendable {
    struct Node: Encodable, Sendable {
        var id: String
        var type: String
        var items: Int
        /// Share of the last interval spent computing, and blocked on a full output, in percent.
        var busy: Double
        var blocked: Double
    }

    struct Edge: Encodable, Sendable {
        var name: String
        var depth: Int
        var capacity: Int
    }

    var type = "status"
    /// running, or how the run ended: completed, failed, interrupted.
    var state: String
    var graph: String
    var seconds: Double
    var frames: Int
    var lastFrame: Int
    var width: Int
    var height: Int
    var blocks: Int
    var lastBlock: Int
    var fps: Double
    /// Mean time between the last few blocks.
    var blockMs: Double?
    /// The last typed prompt's latency to its first output frame.
    var promptLatencyMs: Double?
    var acceptsPrompts: Bool
    var maxPromptLength: Int
    var viewers: Int
    var framesPort: String?
    var nodes: [Node]
    var edges: [Edge]
    var prompts: [RunObserver.PromptRecord]
}

/// What memory.retriever did for one block: which frame asked, which evicted frames it got back and how
/// similar they were. Evaluation compares `positions` with the world's truth (recall@k).
public struct BlockRetrieval: Sendable, Equatable {
    public var block: Int
    /// Position of the frame whose descriptor was the query; nil when the context held no frame.
    public var queryPosition: Int?
    /// Retrieved source positions, ascending, with their cosine similarities in the same order.
    public var positions: [Int]
    public var scores: [Float]
    /// Descriptor and search time charged to this block: its query, plus the descriptors of the evictions
    /// that arrived since the previous block was answered.
    public var seconds: Double

    public init(block: Int, queryPosition: Int?, positions: [Int], scores: [Float], seconds: Double) {
        self.block = block
        self.queryPosition = queryPosition
        self.positions = positions
        self.scores = scores
        self.seconds = seconds
    }

    /// The best similarity among the retrieved frames; nil when none were.
    public var topScore: Float? { scores.max() }

    /// One JSON object on one line: {"block":b,"query_position":p,"retrieved":[...],"scores":[...]}.
    /// Written by hand so the key order is fixed and a non-finite score becomes null, not invalid JSON.
    public var jsonLine: String {
        func number(_ x: Float) -> String { x.isFinite ? "\(x)" : "null" }
        let query = queryPosition.map(String.init) ?? "null"
        return "{\"block\":\(block),\"query_position\":\(query),\"retrieved\":[\(positions.map(String.init).joined(separator: ","))],"
            + "\"scores\":[\(scores.map(number).joined(separator: ","))]}"
    }
}

/// What a node keeps between packets, as a session snapshot carries it: named tensors and scalars.
/// The runtime writes it into the snapshot file (`flowrun GRAPH --snapshot FILE`) and hands it back to a
/// fresh instance of the same node on `--resume FILE`; nodes never see the file format.
public struct NodeState: Sendable {
    public var tensors: [String: Tensor] = [:]
    public var ints: [String: Int] = [:]
    public var doubles: [String: Double] = [:]
    public var strings: [String: String] = [:]
    /// Video frames this node has completed (generated, decoded, written), for nodes that count frames:
    /// the snapshot reports the smallest such count as the frames the session has done.
    public var framesDone: Int?

    public init() {}

    /// A value the saving node wrote; a missing one means the snapshot came from another version of the
    /// node, which is an error naming the key (the runtime adds the node and the file).
    public func int(_ key: String) throws -> Int {
        guard let v = ints[key] else { throw missing("integer", key) }
        return v
    }
    public func double(_ key: String) throws -> Double {
        guard let v = doubles[key] else { throw missing("number", key) }
        return v
    }
    public func string(_ key: String) throws -> String {
        guard let v = strings[key] else { throw missing("string", key) }
        return v
    }
    public func tensor(_ key: String) throws -> Tensor {
        guard let v = tensors[key] else { throw missing("tensor", key) }
        return v
    }
    /// A tensor of a known dtype and shape (`nil` entries in `shape` match any size).
    public func tensor(_ key: String, dtype: DType, shape: [Int?]) throws -> Tensor {
        let t = try tensor(key)
        let shapeMatches = t.shape.count == shape.count && zip(t.shape, shape).allSatisfy { $1 == nil || $0 == $1 }
        guard t.dtype == dtype, shapeMatches else {
            let wanted = "[" + shape.map { $0.map(String.init) ?? "?" }.joined(separator: ", ") + "]"
            throw NodeError("snapshot state '\(key)' is \(t.dtype) \(t.shape); this node needs \(dtype) \(wanted)")
        }
        return t
    }

    private func missing(_ kind: String, _ key: String) -> NodeError {
        NodeError("snapshot state has no \(kind) '\(key)' (saved by another version of this node?)")
    }
}

/// A node whose state a session snapshot carries, so a long session can stop and continue where it was
/// (`--snapshot FILE`, then `--resume FILE`). The runtime calls `saveState` on every node once the run has
/// ended (completed, failed or interrupted: every node has finished), and `restoreState` on a fresh instance
/// after `init` and before `start`, so `start` may act on the restored state (emit what the loop needs).
/// A node that cannot save what it holds right now (e.g. a search in flight) throws a clear error.
public protocol SnapshotState: AnyObject {
    /// Params that may differ between the run that saved a snapshot and the run that resumes it, such as
    /// the number of frames to reach. Every other param must be equal (path params that name a folder, such
    /// as a model, are compared by their files' content instead).
    static var paramsFreeOnResume: Set<String> { get }
    func saveState() throws -> NodeState
    func restoreState(_ state: NodeState) throws
}

public extension SnapshotState {
    static var paramsFreeOnResume: Set<String> { [] }
}

/// A node that holds nothing between packets that its output depends on (caches of pure functions are
/// fine): a snapshot needs nothing from it, and a graph of such nodes can be snapshotted.
public protocol StatelessNode: SnapshotState {}

public extension StatelessNode {
    func saveState() throws -> NodeState { NodeState() }
    func restoreState(_ state: NodeState) throws {}
}

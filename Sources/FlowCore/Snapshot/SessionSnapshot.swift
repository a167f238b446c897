import FlowKit

/// A running session as a file keeps it: what made it (graph, params, models) and every node's state.
public struct SessionSnapshot: Sendable {
    /// 1: the layout Schemas/snapshot.proto describes.
    public static let formatVersion: UInt32 = 1

    public struct NodeIdentity: Sendable, Equatable {
        public var id: String
        public var type: String
        /// "name=value" for every param that must be equal on resume, sorted.
        public var params: [String]
    }

    public struct ModelFingerprint: Sendable, Equatable {
        public var node: String
        public var param: String
        public var path: String
        public var digest: String
    }

    /// What the snapshot was made by: compared with the graph that resumes it.
    public struct Identity: Sendable, Equatable {
        public var graphName: String
        public var nodes: [NodeIdentity]
        public var edges: [String]
        public var models: [ModelFingerprint]
    }

    public struct Entry: Sendable {
        public var id: String
        public var type: String
        public var state: NodeState
    }

    public var writer: String
    public var graphFile: String
    public var identity: Identity
    /// Frames every frame-counting node completed (the smallest count); nil when none counts frames.
    public var framesDone: Int?
    public var nodes: [Entry]

    public init(writer: String, graphFile: String, identity: Identity, framesDone: Int?, nodes: [Entry]) {
        self.writer = writer
        self.graphFile = graphFile
        self.identity = identity
        self.framesDone = framesDone
        self.nodes = nodes
    }

    public func state(of id: String) -> NodeState? { nodes.first { $0.id == id }?.state }
}

/// A snapshot file that cannot be read: where (record and byte offset) and why.
public struct SnapshotFileError: Error, CustomStringConvertible, Sendable {
    public var file: String
    /// The record being read (0: the header, then one per node, then the trailer); nil: the file as a whole.
    public var record: Int?
    public var offset: Int
    public var message: String

    public var description: String {
        let at = record.map { "record \($0) at byte \(offset)" } ?? "byte \(offset)"
        return "\(file): not a usable snapshot: \(at): \(message)"
    }
}

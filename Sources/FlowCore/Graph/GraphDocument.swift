import FlowKit

/// What a value on an edge does when the consumer's queue is full.
public enum EdgePolicy: String, Sendable, CaseIterable {
    /// The producer waits: real back-pressure (the default).
    case block
    /// The oldest queued packet is dropped to make room.
    case dropOldest = "drop-oldest"
    /// Only the newest packet is kept.
    case latest
}

/// `node.port` as written in a graph file.
public struct PortReference: Sendable, Hashable, CustomStringConvertible {
    public var node: String
    public var port: String
    public var description: String { "\(node).\(port)" }
}

/// One edge as written at its consumer: `inputs: { port: node.port }` or the long form.
public struct EdgeDeclaration: Sendable {
    public var from: PortReference
    public var location: SourceLocation
    public var queue: Int?
    public var policy: EdgePolicy?
    public var feedback: Bool
}

/// An input port of a node declaration, with one edge or (fan-in) several.
public struct InputDeclaration: Sendable {
    public var port: String
    public var location: SourceLocation
    public var edges: [EdgeDeclaration]
}

/// A node as written in a graph file, before types are known.
public struct NodeDeclaration: Sendable {
    public var id: String
    public var location: SourceLocation
    /// `type:` for a node, nil for an include.
    public var type: String?
    public var typeLocation: SourceLocation?
    /// `include:` path for a subgraph.
    public var include: String?
    public var includeLocation: SourceLocation?
    public var inputs: [InputDeclaration]
    /// Param values, keyed by name, with the value's location.
    public var params: [(name: String, nameLocation: SourceLocation, value: YNode)]
    /// Default capacity and policy for this node's inputs.
    public var queue: Int?
    public var policy: EdgePolicy?
    /// `rank: N`: the MPI rank the node runs on (an include's rank is the default for its nodes); as written.
    public var rank: YNode? = nil
}

/// A graph-level parameter: `frames: 480` or `frames: { type: int, default: 480, min: 1 }`.
public struct ParamDeclaration: Sendable {
    public var name: String
    public var location: SourceLocation
    public var spec: ParamSpec
}

/// A graph file as written, with every value located.
public struct GraphDocument: Sendable {
    public var file: String
    public var version: Int
    public var name: String
    public var description: String
    public var params: [ParamDeclaration]
    public var plugins: [(path: String, location: SourceLocation)]
    /// Subgraph interface: outer input name -> internal consumers are written `in.NAME` inside.
    public var inputs: [(name: String, location: SourceLocation, type: String?)]
    /// Subgraph interface: outer output name -> internal `node.port`.
    public var outputs: [(name: String, location: SourceLocation, from: PortReference)]
    public var nodes: [NodeDeclaration]
}

import FlowKit

/// A node instance ready to run: its type, checked params and where it was declared.
public struct CompiledNode: Sendable {
    public var index: Int
    /// Full id; nodes from an included subgraph are `include-id/inner-id`.
    public var id: String
    public var registration: NodeRegistration
    public var params: Params
    public var location: SourceLocation
    public var baseDirectory: String
    public var threads: Int
    /// The MPI rank that runs the node (`rank: N`; 0 when not written). Without mpirun every node runs.
    public var rank: Int = 0
    public var contract: NodeContract { registration.contract }
}

/// An edge ready to run: a bounded queue from one output port to one input port.
public struct CompiledEdge: Sendable {
    public var index: Int
    public var from: Int
    public var fromPort: String
    public var to: Int
    public var toPort: String
    public var capacity: Int
    public var policy: EdgePolicy
    public var feedback: Bool
    public var location: SourceLocation
    public var type: PortType
}

/// A graph that passed every check: nothing about it is discovered late.
public struct CompiledGraph: Sendable {
    public var name: String
    public var description: String
    public var file: String
    public var nodes: [CompiledNode]
    public var edges: [CompiledEdge]
    public var warnings: [Diagnostic]

    public func outgoing(_ node: Int) -> [CompiledEdge] { edges.filter { $0.from == node } }
    public func incoming(_ node: Int) -> [CompiledEdge] { edges.filter { $0.to == node } }
    public func node(named id: String) -> CompiledNode? { nodes.first { $0.id == id } }
    /// Ranks the graph places nodes on: an MPI job needs at least this many.
    public var ranksNeeded: Int { (nodes.map(\.rank).max() ?? 0) + 1 }
}

import FlowKit

/// A node after includes are expanded: full id, declaration and the param values its file sees.
struct FlatNode {
    var id: String
    var decl: NodeDeclaration
    var env: [String: ParamValue]
    var baseDirectory: String
    /// The MPI rank it runs on, with where that was written (nil: rank 0, or its include's rank).
    var rank: (value: Int, location: SourceLocation)? = nil
}

/// An edge after includes are expanded, between full node ids.
struct FlatEdge {
    var fromNode: String
    var fromPort: String
    var toNode: String
    var toPort: String
    var location: SourceLocation
    var queue: Int?
    var policy: EdgePolicy?
    var feedback: Bool
}

/// One graph file's contribution, and the interface it offers to a file that includes it.
struct Expansion {
    var nodes: [FlatNode] = []
    var edges: [FlatEdge] = []
    var outputs: [String: (node: String, port: String)] = [:]
    /// Subgraph input name -> the internal ports fed from it, with their edge options.
    var inputConsumers: [String: [(node: String, port: String, edge: EdgeDeclaration, queue: Int?, policy: EdgePolicy?)]] = [:]
    var plugins: [(path: String, location: SourceLocation)] = []
    /// Internal `node.port`s fed from a subgraph input that its includer left unconnected, with the
    /// input's name and the include: a required one would wait forever, so the checker reports it.
    var unconnectedInputs: [String: (input: String, include: String, location: SourceLocation)] = [:]
}

/// One file being expanded: what its edges and outputs are resolved against.
struct FileScope {
    let doc: GraphDocument
    /// Prepended to this file's node ids: `""` for the root, `include-id/` inside an include.
    let prefix: String
    let directory: String
    let env: [String: ParamValue]
    let isRoot: Bool
    let declaredInputs: Set<String>
    var subgraphs: [String: Expansion] = [:]
    var localIds = Set<String>()
    /// `localIds` in order, for "did you mean": sorted once, not once per unknown reference.
    var sortedIds: [String] = []
    /// Ids of this file's includes, expanded or not.
    var includeIds = Set<String>()

    init(doc: GraphDocument, prefix: String, directory: String, env: [String: ParamValue], isRoot: Bool) {
        self.doc = doc
        self.prefix = prefix
        self.directory = directory
        self.env = env
        self.isRoot = isRoot
        declaredInputs = Set(doc.inputs.map(\.name))
    }

    var substitution: Substitution { Substitution(env: env) }
}

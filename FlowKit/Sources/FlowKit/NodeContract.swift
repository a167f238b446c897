/// One input or output of a node type.
public struct PortSpec: Sendable {
    public var name: String
    public var type: PortType
    /// An input that must be connected; outputs ignore this.
    public var required: Bool
    /// Whether several edges may feed this input (their packets interleave in arrival order).
    public var fanIn: Bool
    public var doc: String

    public init(_ name: String, _ type: PortType, required: Bool = true, fanIn: Bool = false, doc: String = "") {
        self.name = name
        self.type = type
        self.required = required
        self.fanIn = fanIn
        self.doc = doc
    }
}

/// How much compute a node wants beyond its own serial queue; the scheduler turns it into a thread budget.
public enum ComputeHint: String, Sendable {
    /// Bookkeeping, I/O, light work: one thread is plenty.
    case light
    /// Kernels that scale with threads (GEMMs, convolutions).
    case heavy
}

/// The static contract of a node type: everything the compiler checks before anything runs.
public struct NodeContract: Sendable {
    /// The name graphs use in `type:`, e.g. `text.encoder`.
    public var type: String
    /// One line for `flowrun nodes`.
    public var summary: String
    public var inputs: [PortSpec]
    public var outputs: [PortSpec]
    public var params: [ParamSpec]
    public var compute: ComputeHint

    public init(type: String, summary: String, inputs: [PortSpec] = [], outputs: [PortSpec] = [],
                params: [ParamSpec] = [], compute: ComputeHint = .light) {
        self.type = type
        self.summary = summary
        self.inputs = inputs
        self.outputs = outputs
        self.params = params
        self.compute = compute
    }

    /// A node with no inputs is a source: the scheduler calls `produce` until it says `.done`.
    public var isSource: Bool { inputs.isEmpty }

    public func input(_ name: String) -> PortSpec? { inputs.first { $0.name == name } }
    public func output(_ name: String) -> PortSpec? { outputs.first { $0.name == name } }
    public func param(_ name: String) -> ParamSpec? { params.first { $0.name == name } }
}

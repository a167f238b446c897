/// One input or output of a node type.
public struct PortSpec: Sendable {
    public var name: String
    public var type: PortType
    /// An input that must be connected; outputs ignore this.
    public var required: Bool
    /// Whether several edges may feed this input (their packets interleave in arrival order).
    public var fanIn: Bool
    public var doc: String
    /// The Swift type packets on this port carry; nil for untyped ports (`.any`, or a port type written as a
    /// string), which accept any payload.
    public var payload: PayloadType?

    /// An untyped port: the port type is written out and no payload type is checked.
    public init(_ name: String, _ type: PortType, required: Bool = true, fanIn: Bool = false, doc: String = "") {
        self.name = name
        self.type = type
        self.required = required
        self.fanIn = fanIn
        self.doc = doc
    }

    /// A port typed by its payload. `type` may respell the payload's port type with other symbols (the VAE
    /// names latent sizes `h, w` beside pixel sizes `H, W`) but must keep its kind and element type.
    public init<P: PortPayload>(_ name: String, _ payload: P.Type, type: PortType? = nil, required: Bool = true,
                                fanIn: Bool = false, doc: String = "") {
        let declared = type ?? P.portType
        precondition(declared.kind == P.portType.kind && declared.element == P.portType.element,
                     "port '\(name)': \(declared) is not a spelling of \(P.self)'s port type \(P.portType)")
        self.init(name, declared, required: required, fanIn: fanIn, doc: doc)
        self.payload = PayloadType(P.self)
    }

    /// An input typed by its payload.
    public static func input<P: PortPayload>(_ name: String, _ payload: P.Type, type: PortType? = nil,
                                             required: Bool = true, fanIn: Bool = false, doc: String = "") -> PortSpec {
        PortSpec(name, payload, type: type, required: required, fanIn: fanIn, doc: doc)
    }

    /// An output typed by its payload: emitting any other payload on it is an error (see `emitProblem`).
    public static func output<P: PortPayload>(_ name: String, _ payload: P.Type, type: PortType? = nil,
                                              doc: String = "") -> PortSpec {
        PortSpec(name, payload, type: type, doc: doc)
    }

    /// Why a payload may not be emitted on this output, or nil when it may.
    public func emitProblem(_ value: any Sendable, node: String, nodeType: String) -> String? {
        guard let payload, !payload.accepts(value) else { return nil }
        return "node '\(node)' (\(nodeType)) emitted \(Swift.type(of: value)) on output '\(name)', which carries \(payload.name) (\(type))"
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

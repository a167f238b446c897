/// What the runtime gives a node instance when it is created.
public struct NodeContext: Sendable {
    /// The node's id in the graph (`denoise`, or `enc/text` inside an included subgraph).
    public var id: String
    public var params: Params
    /// Threads this node may use for its own compute; the scheduler assigns it.
    public var threads: Int
    /// Directory of the graph file, for resolving relative paths in params.
    public var baseDirectory: String

    public init(id: String, params: Params, threads: Int = 1, baseDirectory: String = ".") {
        self.id = id
        self.params = params
        self.threads = threads
        self.baseDirectory = baseDirectory
    }

    /// A path param resolved against the graph file's directory (absolute paths pass through).
    public func path(_ param: String) -> String {
        let p = params.string(param)
        if p.hasPrefix("/") || baseDirectory.isEmpty { return p }
        return baseDirectory.hasSuffix("/") ? baseDirectory + p : baseDirectory + "/" + p
    }
}

/// What a source says after each `produce` call.
public enum Production: Sendable {
    case more
    case done
}

/// The node's view of the running graph. The runtime calls a node from one serial queue at a time,
/// so a node keeps its state in plain stored properties, without locks.
public protocol NodeIO: AnyObject {
    /// Sends a packet on an output port. Blocks while a downstream queue with the `block` policy is full
    /// (back-pressure). Throws `Cancellation` only when the run is torn down without draining.
    func emit(_ port: String, _ packet: Packet) throws
    /// True once the graph is stopping (error elsewhere, SIGINT): sources should return `.done`.
    var isStopping: Bool { get }
    /// Takes up to `limit` packets already waiting on an input, in arrival order, without waiting for
    /// more: a node that batches (several queued prompts in one forward pass) calls it from `process`.
    func takeQueued(_ port: String, limit: Int) -> [Packet]
    /// Drops packets waiting on this node's inputs (all, or the named ports); returns how many.
    @discardableResult func flushInputs(_ ports: [String]?) -> Int
    /// Drops packets this node emitted that the consumers have not started; returns how many.
    @discardableResult func flushOutputs(_ ports: [String]?) -> Int
    /// The node will emit nothing more: the runtime finishes it once current work returns,
    /// and discards what still arrives on its inputs.
    func endStream()
    /// A line for the run's log, tagged with the node id.
    func log(_ message: String)
    /// Fails the run with `error` (reported as this node's failure, exit status 1) and stops the graph, as a
    /// thrown error does, but keeps this node running: it still receives what drains from upstream and finishes
    /// as usual. A sink that can write no more (a full disk) keeps the frames already made for a snapshot so.
    func fail(_ error: Error)
}

/// Thrown by `emit` when the graph is stopping; nodes let it propagate.
public struct Cancellation: Error, Sendable, CustomStringConvertible {
    public init() {}
    public var description: String { "the graph is stopping" }
}

/// A node type. An instance is single-threaded by contract: the scheduler owns concurrency.
public protocol Node: AnyObject {
    static var contract: NodeContract { get }
    /// Checks params beyond their declared types (cross-field rules, file existence);
    /// runs at compile time so the error points at the graph file.
    static func check(_ params: Params) -> [ParamProblem]
    /// Values of shape symbols that follow from params, e.g. `["H": height / 8]`, or from a model's
    /// config.json (`ShapeBindings(values, from: "model")`, so a mismatch is reported at the `model:` line).
    static func shapeBindings(_ params: Params) -> ShapeBindings

    init(context: NodeContext) throws
    /// Called once before any packet.
    func start(_ io: NodeIO) throws
    /// Called for every packet that arrives, in arrival order across the node's inputs.
    func process(_ packet: Packet, port: String, _ io: NodeIO) throws
    /// An input reached end of stream. A node without feedback inputs is finished by the runtime once all
    /// its inputs closed; a node with a feedback input ends its own stream (`endStream`), since its loop
    /// cannot close before it does.
    func inputClosed(_ port: String, _ io: NodeIO) throws
    /// Sources only: produce some output, then say whether there is more.
    func produce(_ io: NodeIO) throws -> Production
    /// Called exactly once: after all inputs closed, after `endStream`, or after an error.
    func finish(_ io: NodeIO) throws
}

public extension Node {
    static func check(_ params: Params) -> [ParamProblem] { [] }
    static func shapeBindings(_ params: Params) -> ShapeBindings { [:] }
    func start(_ io: NodeIO) throws {}
    func process(_ packet: Packet, port: String, _ io: NodeIO) throws {
        throw NodeError("\(Self.contract.type) received a packet on '\(port)' but does not process input")
    }
    func inputClosed(_ port: String, _ io: NodeIO) throws {}
    func produce(_ io: NodeIO) throws -> Production { .done }
    func finish(_ io: NodeIO) throws {}
}

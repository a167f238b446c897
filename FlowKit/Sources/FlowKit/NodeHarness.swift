/// Runs one node alone, synchronously, on the calling thread: feed packets in, read what it emitted.
/// The node sees the same `NodeIO` calls as in a graph, in the same order.
public final class NodeHarness<N: Node>: NodeIO {
    public let node: N
    public private(set) var emitted: [String: [Packet]] = [:]
    public private(set) var logLines: [String] = []
    public private(set) var ended = false
    public private(set) var finished = false
    /// The node id messages use.
    public let id: String
    public var isStopping = false
    /// Packets fed but not yet processed, so tests can see what a flush drops.
    private var pending: [(port: String, packet: Packet)] = []

    public init(_ type: N.Type = N.self, params: [String: ParamValue] = [:], id: String = "node",
                threads: Int = 1, baseDirectory: String = ".") throws {
        self.id = id
        let resolved = try N.contract.resolve(params)
        let problems = N.check(resolved)
        if let first = problems.first { throw NodeError("param '\(first.param)': \(first.message)") }
        node = try N(context: NodeContext(id: id, params: resolved, threads: threads, baseDirectory: baseDirectory))
        try node.start(self)
    }

    public func emit(_ port: String, _ packet: Packet) throws {
        guard let spec = N.contract.output(port) else { throw NodeError("\(N.contract.type) has no output '\(port)'") }
        if let problem = spec.emitProblem(packet.payload, node: id, nodeType: N.contract.type) { throw NodeError(problem) }
        if isStopping { throw Cancellation() }
        emitted[port, default: []].append(packet)
    }

    /// Queues a packet; `run()` delivers queued packets in order.
    public func enqueue(_ port: String, _ packet: Packet) { pending.append((port, packet)) }

    /// Delivers every queued packet.
    public func run() throws {
        while !pending.isEmpty && !ended {
            let (port, packet) = pending.removeFirst()
            try node.process(packet, port: port, self)
        }
    }

    /// Feeds one packet and processes it at once.
    public func feed(_ port: String, _ packet: Packet) throws {
        guard N.contract.input(port) != nil else { throw NodeError("\(N.contract.type) has no input '\(port)'") }
        enqueue(port, packet)
        try run()
    }

    public func feed(_ port: String, position: Int, _ payload: any Sendable) throws {
        try feed(port, Packet(position: position, payload: payload))
    }

    public func close(_ port: String) throws { try node.inputClosed(port, self) }

    /// Sources: calls `produce` until `.done` or `limit` calls.
    public func drainSource(limit: Int = 1_000_000) throws {
        var calls = 0
        while !ended, calls < limit, try node.produce(self) == .more { calls += 1 }
    }

    /// Calls `finish` (once, as the runtime does).
    public func finish() throws {
        guard !finished else { return }
        finished = true
        try node.finish(self)
    }

    public func outputs(_ port: String) -> [Packet] { emitted[port] ?? [] }
    public func payloads<T>(_ port: String, as: T.Type = T.self) throws -> [T] {
        try outputs(port).map { try $0.value(as: T.self) }
    }
    public func clearOutputs() { emitted = [:] }

    public func takeQueued(_ port: String, limit: Int) -> [Packet] {
        var taken: [Packet] = []
        pending.removeAll { item in
            guard item.port == port, taken.count < limit else { return false }
            taken.append(item.packet)
            return true
        }
        return taken
    }

    @discardableResult public func flushInputs(_ ports: [String]?) -> Int {
        let before = pending.count
        pending.removeAll { ports == nil || ports!.contains($0.port) }
        return before - pending.count
    }
    @discardableResult public func flushOutputs(_ ports: [String]?) -> Int {
        var dropped = 0
        for key in emitted.keys where ports == nil || ports!.contains(key) {
            dropped += emitted[key]?.count ?? 0
            emitted[key] = []
        }
        return dropped
    }
    public func endStream() { ended = true }
    public func log(_ message: String) { logLines.append(message) }
}

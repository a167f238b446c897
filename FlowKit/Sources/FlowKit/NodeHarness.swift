/// Runs one node alone, synchronously, on the calling thread: feed packets in, read what it emitted.
/// The node sees the same `NodeIO` calls as in a graph, in the same order.
public final class NodeHarness<N: Node>: NodeIO {
    public let node: N
    public private(set) var emitted: [String: [Packet]] = [:]
    public private(set) var logLines: [String] = []
    /// Compile-time warnings of the node's params (what the compiler would print before the run).
    public private(set) var warnings: [String] = []
    public private(set) var ended = false
    public private(set) var finished = false
    /// The node id messages use.
    public let id: String
    public var isStopping = false
    /// Packets fed but not yet processed, so tests can see what a flush drops.
    private var pending: [(port: String, packet: Packet)] = []
    /// How many packets of each output the test has read (`outputs`, `payloads`, `readOutputs`).
    private var read: [String: Int] = [:]

    public init(_ type: N.Type = N.self, params: [String: ParamValue] = [:], id: String = "node",
                threads: Int = 1, baseDirectory: String = ".") throws {
        self.id = id
        let resolved = try N.contract.resolve(params)
        let problems = N.check(resolved)
        if let first = problems.first(where: { $0.severity == .error }) { throw NodeError("param '\(first.param)': \(first.message)") }
        warnings = problems.filter { $0.severity == .warning }.map { "param '\($0.param)': \($0.message)" }
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

    /// Calls `finish` (once, as the runtime does) and reports what was left: outputs emitted since the test
    /// last read them (finish's own emits included), fed packets never processed, the node's pending work.
    @discardableResult public func finish() throws -> HarnessLeftovers {
        if !finished {
            finished = true
            try node.finish(self)
        }
        return leftovers
    }

    /// Finishes and fails unless nothing was left: the strict form for tests that account for every packet.
    public func finishClean() throws {
        let left = try finish()
        guard left.isClean else { throw NodeError("\(N.contract.type) '\(id)' finished with leftovers: \(left)") }
    }

    public var leftovers: HarnessLeftovers {
        var unread: [String: Int] = [:]
        for (port, packets) in emitted where packets.count > read[port, default: 0] {
            unread[port] = packets.count - read[port, default: 0]
        }
        return HarnessLeftovers(unreadOutputs: unread, unprocessedInputs: pending.count,
                                pendingWork: (node as? ReportsPendingWork)?.pendingWork ?? [])
    }

    /// Everything emitted on `port` so far; marks it read.
    public func outputs(_ port: String) -> [Packet] {
        let all = emitted[port] ?? []
        read[port] = all.count
        return all
    }

    /// What was emitted on `port` since it was last read; marks it read.
    public func readOutputs(_ port: String) -> [Packet] {
        let all = emitted[port] ?? []
        defer { read[port] = all.count }
        return Array(all.dropFirst(read[port, default: 0]))
    }
    public func payloads<T>(_ port: String, as: T.Type = T.self) throws -> [T] {
        try outputs(port).map { try $0.value(as: T.self) }
    }
    public func clearOutputs() {
        emitted = [:]
        read = [:]
    }

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
            read[key] = 0
        }
        return dropped
    }
    public func endStream() { ended = true }
    public func log(_ message: String) { logLines.append(message) }
    /// Errors the node reported with `fail`; reporting one makes `isStopping` true, as in a graph.
    public private(set) var failures: [String] = []
    public func fail(_ error: Error) {
        failures.append("\(error)")
        isStopping = true
    }
}

import Foundation
import FlowKit
import Synchronization

/// The first error of a run, located at the failing node's declaration.
public struct RunFailure: Error, CustomStringConvertible, Sendable {
    public var nodeId: String
    public var nodeType: String
    public var location: SourceLocation
    public var message: String
    /// "built-in", or the plugin the node type came from.
    public var origin: String = "built-in"
    /// Under mpirun: the rank the node failed on (every rank reports the same failure).
    public var rank: Int? = nil
    public var description: String {
        let from = origin == "built-in" ? "" : " from plugin \(origin)"
        let onRank = rank.map { " on rank \($0)" } ?? ""
        return "\(location): error: node '\(nodeId)' (\(nodeType)\(from))\(onRank) failed: \(message)"
    }
}

/// How a run ended.
public enum RunOutcome: Sendable {
    case completed
    case failed(RunFailure)
    case interrupted

    /// The process exit status the CLI uses.
    public var exitCode: Int32 {
        switch self {
        case .completed: return 0
        case .failed: return 1
        case .interrupted: return 130
        }
    }
}

public struct RunOptions: Sendable {
    /// Every packet goes through every stage before the next starts: the baseline for overlap.
    public var sequential = false
    public var trace = false
    public var log: (@Sendable (String) -> Void)?
    /// Called once, with the run's first failure, on the failing node's thread (a distributed run tells the other ranks).
    public var onFailure: (@Sendable (RunFailure) -> Void)?
    public init(sequential: Bool = false, trace: Bool = false, log: (@Sendable (String) -> Void)? = nil,
                onFailure: (@Sendable (RunFailure) -> Void)? = nil) {
        self.sequential = sequential
        self.trace = trace
        self.log = log
        self.onFailure = onFailure
    }
}

/// A compiled graph, instantiated and running: one serial queue per node, bounded queues between them.
public final class GraphRun: @unchecked Sendable {
    public let graph: CompiledGraph
    let options: RunOptions
    var runners: [NodeRunner] = []
    private let state = NSLock()
    // Read on every emit and every source turn: atomics, not the lock.
    private let stopping = Atomic<Bool>(false)
    private let tornDown = Atomic<Bool>(false)
    private var interrupted = false
    private var failure: RunFailure?
    private let done = DispatchGroup()
    private var startedAt: UInt64 = 0
    private var endedAt: UInt64 = 0
    /// `startedAt` for readers on other threads (`liveStats`).
    let liveStart = Atomic<UInt64>(0)
    /// Instant events for the trace (`mark`), e.g. where a prompt switch reached the output.
    private var marks: [TraceMark] = []
    /// Sequential mode: packets on feedback edges, and their ends behind them, wait here until the current chain returns.
    var pendingFeedback: [(EdgeBuffer, EdgeEntry)] = []

    var sequential: Bool { options.sequential }
    var tracing: Bool { options.trace }

    /// Creates every node instance; a node whose init throws fails the run before anything starts.
    /// `instances` are nodes already made, by node index (the send and receive sides of edges between ranks).
    public init(graph: CompiledGraph, options: RunOptions = RunOptions(), instances: [Int: any Node] = [:]) throws {
        MallocArenas.apply()
        MallocMmapThreshold.apply()
        self.graph = graph
        self.options = options
        // OpenBLAS's thread count is process-wide: size it to the budget of one heavy node. Pipelined,
        // heavy nodes share the cores; sequentially, only one runs at a time and may use them all.
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let heavyBudget = graph.nodes.filter { $0.contract.compute == .heavy }.map(\.threads).max()
        if let heavyBudget { BLASRuntime.setThreads(options.sequential ? cores : heavyBudget) }
        for c in graph.nodes {
            let threads = options.sequential && c.contract.compute == .heavy ? cores : c.threads
            let context = NodeContext(id: c.id, params: c.params, threads: threads, baseDirectory: c.baseDirectory)
            do {
                let node = try instances[c.index] ?? c.registration.nodeType.init(context: context)
                runners.append(NodeRunner(compiled: c, node: node, run: self))
            } catch {
                throw RunFailure(nodeId: c.id, nodeType: c.contract.type, location: c.location,
                                 message: "cannot create node: \(error)", origin: c.registration.origin)
            }
        }
        for e in graph.edges {
            let buffer = EdgeBuffer(edge: e, consumer: runners[e.to])
            runners[e.to].inputs.append(buffer)
            runners[e.from].outputs[e.fromPort, default: []].append(buffer)
        }
        for r in runners { r.wire() }
    }

    /// The node instance with this id, for tests and tools that inspect a finished run.
    public func instance(_ id: String) -> (any Node)? { runners.first { $0.compiled.id == id }?.node }

    public var isStopping: Bool { stopping.load(ordering: .acquiring) }
    var isTornDown: Bool { tornDown.load(ordering: .acquiring) }

    /// Runs to the end and returns how it ended. Blocks the calling thread.
    public func run() -> RunOutcome {
        startedAt = monotonicNanos()
        liveStart.store(startedAt, ordering: .releasing)
        if sequential { runSequentially() } else { runConcurrently() }
        endedAt = monotonicNanos()
        return state.withLock {
            if let failure { return .failed(failure) }
            return interrupted ? .interrupted : .completed
        }
    }

    private func runConcurrently() {
        for _ in runners { done.enter() }
        // Every node's start is queued before any packet can reach it.
        for r in runners { r.queue.async { r.begin() } }
        seedFeedbackEdges()
        for r in runners where r.compiled.contract.isSource { r.queue.async { r.runSource() } }
        done.wait()
    }

    private func runSequentially() {
        for r in runners { r.begin() }
        seedFeedbackEdges()
        drainFeedback()
        var sources = runners.filter { $0.compiled.contract.isSource }
        while !sources.isEmpty {
            sources = sources.filter { $0.produceOnce() }
        }
        // Nodes that are not downstream of any source (e.g. fed only by a loop) end here.
        for r in runners where !r.isFinished { r.finish() }
    }

    private func seedFeedbackEdges() {
        for r in runners {
            for b in r.inputs where b.edge.feedback {
                let seed = Packet(position: -1, payload: LoopSeed())
                if sequential { pendingFeedback.append((b, .packet(seed))) }
                else { try? r.deliver(b, seed, from: runners[b.edge.from]) }
            }
        }
    }

    func drainFeedback() {
        while !pendingFeedback.isEmpty {
            let (buffer, entry) = pendingFeedback.removeFirst()
            buffer.consumer.handle(entry, from: buffer)
        }
    }

    func fail(_ runner: NodeRunner, _ error: Error) {
        let first: RunFailure? = state.withLock {
            guard failure == nil else { return nil }
            failure = RunFailure(nodeId: runner.compiled.id, nodeType: runner.compiled.contract.type,
                                 location: runner.compiled.location, message: "\(error)",
                                 origin: runner.compiled.registration.origin)
            return failure
        }
        stopping.store(true, ordering: .releasing)
        log("[\(runner.compiled.id)] error: \(error)")
        if let first { options.onFailure?(first) }
    }

    /// A node failed outside this process (another MPI rank): stop as for a failure here, and report that one.
    public func failElsewhere(_ remote: RunFailure) {
        state.withLock { if failure == nil { failure = remote } }
        stopping.store(true, ordering: .releasing)
        log("rank \(remote.rank.map(String.init) ?? "?"): node '\(remote.nodeId)' failed; stopping")
    }

    /// SIGINT: sources stop, queued work drains, sinks finalize.
    public func interrupt() {
        state.withLock { interrupted = true }
        stopping.store(true, ordering: .releasing)
    }

    /// A second SIGINT: blocked emitters give up at once; nodes still finish.
    public func tearDown() {
        state.withLock { interrupted = true }
        stopping.store(true, ordering: .releasing)
        tornDown.store(true, ordering: .releasing)
        for r in runners { r.wakeAll() }
    }

    func nodeFinished(_ runner: NodeRunner) {
        if !sequential { done.leave() }
    }

    func log(_ line: String) { options.log?(line) }

    public var stats: RunStats {
        let edges = runners.flatMap { r in
            r.inputs.map { b in
                EdgeStats(name: "\(graph.nodes[b.edge.from].id).\(b.edge.fromPort) -> \(r.compiled.id).\(b.edge.toPort)",
                          capacity: b.edge.capacity, policy: b.edge.feedback ? "feedback" : b.edge.policy.rawValue,
                          pushed: b.pushed, dropped: b.dropped, flushed: b.flushed, maxDepth: b.maxDepth)
            }
        }
        return RunStats(wallNanos: endedAt &- startedAt, nodes: runners.map(\.stats), edges: edges)
    }

    /// Packets each node has handled so far; safe to read while the graph runs.
    public var progress: [(id: String, items: Int)] { runners.map { ($0.compiled.id, $0.processed.load(ordering: .relaxed)) } }

    public func writeTrace(to path: String) throws {
        try TraceWriter.write(to: path, graphName: graph.name, origin: startedAt,
                              tracks: runners.map { ($0.compiled.id, $0.spans) }, marks: state.withLock { marks })
    }

    /// Records an instant event at this moment in the trace (with `trace` on; otherwise nothing), from any thread.
    public func mark(_ name: String) {
        guard tracing else { return }
        let now = monotonicNanos()
        state.withLock { marks.append(TraceMark(name: name, time: now)) }
    }
}

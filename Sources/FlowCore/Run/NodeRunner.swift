import Foundation
import FlowKit
import Synchronization

/// Runs one node instance: owns its serial queue, its input buffers and its stats.
/// The node itself is only ever called from `queue` (or, in sequential mode, from the run's one thread).
final class NodeRunner: NodeIO, @unchecked Sendable {
    let compiled: CompiledNode
    let node: any Node
    unowned let run: GraphRun
    let queue: DispatchQueue
    /// Guards `inputs`, `discarding` and `seq`; producers wait on it while an input is full.
    let inbox = NSCondition()
    var inputs: [EdgeBuffer] = []
    var outputs: [String: [EdgeBuffer]] = [:]
    private var seq: UInt64 = 0
    private var discarding = false
    /// A drain is queued or running; later deliveries join it instead of queueing work of their own.
    private var drainScheduled = false

    // Touched only on this node's thread.
    private var finished = false
    private var endRequested = false
    private var closedPorts = Set<String>()
    private var openPlainInputs = 0
    private var openInputs = 0
    private let hasFeedbackInput: Bool
    var stats: NodeStats
    /// Packets handled so far, readable from any thread (the progress line).
    let processed = Atomic<Int>(0)
    var spans: [TraceSpan] = []
    /// Busy and blocked-on-output time so far, readable from any thread (`GraphRun.liveStats`).
    let busyLive = Atomic<UInt64>(0)
    let blockedLive = Atomic<UInt64>(0)
    /// Output taps by port (`GraphRun.tap`); set before the run starts, read only after.
    var taps: [String: [TapHandler]] = [:]
    private var startedAt: UInt64 = 0
    /// Time inside a call that was really waiting for input (a receive node waiting on another rank).
    private var idleInCallNanos: UInt64 = 0

    init(compiled: CompiledNode, node: any Node, run: GraphRun) {
        self.compiled = compiled
        self.node = node
        self.run = run
        queue = DispatchQueue(label: "flowrun.node.\(compiled.id)")
        stats = NodeStats(id: compiled.id, type: compiled.contract.type, threads: compiled.threads)
        hasFeedbackInput = run.graph.edges.contains { $0.to == compiled.index && $0.feedback }
    }

    func wire() {
        openInputs = inputs.count
        openPlainInputs = inputs.filter { !$0.edge.feedback }.count
    }

    // MARK: NodeIO

    /// The graph is stopping, or every consumer of this node has finished, so nothing it emits
    /// would be used (a prompt source reading a terminal can stop then).
    var isStopping: Bool { run.isStopping || (!outputs.isEmpty && outputs.values.allSatisfy { $0.allSatisfy { $0.consumer.isDiscarding } }) }

    /// Finished, dropping whatever arrives; read from other nodes' threads.
    var isDiscarding: Bool { inbox.withLock { discarding } }

    func emit(_ port: String, _ packet: Packet) throws {
        #if DEBUG
        // Debug builds check every emit against the port's payload type; release builds trust the contract
        // (the harness checks it in every node test).
        if let spec = compiled.contract.output(port),
           let problem = spec.emitProblem(packet.payload, node: compiled.id, nodeType: compiled.contract.type) {
            throw NodeError(problem)
        }
        #endif
        if let handlers = taps[port] { for h in handlers { h(.packet(packet)) } }
        guard let edges = outputs[port] else {
            if compiled.contract.output(port) != nil { stats.itemsOut += 1; return } // unconnected output
            throw NodeError("\(compiled.contract.type) emitted on unknown output '\(port)'")
        }
        if run.isTornDown { throw Cancellation() }
        stats.itemsOut += 1
        for edge in edges {
            if run.sequential { edge.consumer.deliverNow(edge, packet) }
            else { try edge.consumer.deliver(edge, packet, from: self) }
        }
    }

    func takeQueued(_ port: String, limit: Int) -> [Packet] {
        inbox.lock()
        defer { inbox.unlock() }
        var taken: [Packet] = []
        let buffers = inputs.filter { $0.edge.toPort == port }
        // Merge the port's edges by arrival order; stop at an end marker so it is handled in turn.
        while taken.count < limit {
            var best: EdgeBuffer?
            for b in buffers { if let s = b.headSeq, s < (best?.headSeq ?? .max) { best = b } }
            guard let buffer = best, case .packet = buffer.items[buffer.head].entry else { break }
            if case .packet(let p) = buffer.popFirst() { taken.append(p) }
        }
        if !taken.isEmpty {
            inbox.broadcast()
            stats.itemsIn += taken.count
            processed.add(taken.count, ordering: .relaxed)
        }
        return taken
    }

    @discardableResult func flushInputs(_ ports: [String]?) -> Int {
        inbox.lock()
        defer { inbox.unlock() }
        var n = 0
        for b in inputs where ports == nil || ports!.contains(b.edge.toPort) {
            let k = b.removePackets()
            b.flushed += k
            n += k
        }
        inbox.broadcast()
        return n
    }

    @discardableResult func flushOutputs(_ ports: [String]?) -> Int {
        var n = 0
        for (port, edges) in outputs where ports == nil || ports!.contains(port) {
            for e in edges { n += e.consumer.flush(e) }
        }
        return n
    }

    func endStream() { endRequested = true }

    func log(_ message: String) { run.log("[\(compiled.id)] \(message)") }

    func fail(_ error: Error) { run.fail(self, error) }

    // MARK: Delivery (called on the producer's thread)

    func deliver(_ buffer: EdgeBuffer, _ packet: Packet, from producer: NodeRunner) throws {
        inbox.lock()
        if !buffer.edge.feedback {
            switch buffer.edge.policy {
            case .block:
                if buffer.depth >= buffer.edge.capacity && !discarding {
                    let t0 = monotonicNanos()
                    while buffer.depth >= buffer.edge.capacity && !discarding && !run.isTornDown { inbox.wait() }
                    let t1 = monotonicNanos()
                    producer.stats.blockedOnOutputNanos += t1 - t0
                    producer.blockedLive.add(t1 - t0, ordering: .relaxed)
                    if run.tracing { producer.spans.append(TraceSpan(name: "blocked on \(buffer.edge.toPort)@\(compiled.id)", start: t0, duration: t1 - t0)) }
                }
            case .dropOldest:
                while buffer.depth >= buffer.edge.capacity && buffer.dropOldestPacket() {}
            case .latest:
                while buffer.depth > 0 && buffer.dropOldestPacket() {}
            }
        }
        if run.isTornDown { inbox.unlock(); throw Cancellation() }
        if discarding { inbox.unlock(); return }
        seq += 1
        buffer.append(.packet(packet), seq: seq)
        scheduleDrainLocked()
    }

    /// Called with `inbox` locked; unlocks it.
    private func scheduleDrainLocked() {
        let schedule = !drainScheduled
        drainScheduled = true
        inbox.unlock()
        if schedule { queue.async { self.drain() } }
    }

    func close(_ buffer: EdgeBuffer) {
        if run.sequential {
            // A feedback edge's end must not overtake the packets still deferred on it (the loop's last turn).
            if buffer.edge.feedback { run.pendingFeedback.append((buffer, .end)) } else { handle(.end, from: buffer) }
            return
        }
        inbox.lock()
        if discarding { inbox.unlock(); return }
        seq += 1
        buffer.append(.end, seq: seq)
        scheduleDrainLocked()
    }

    func flush(_ buffer: EdgeBuffer) -> Int {
        inbox.lock()
        let n = buffer.removePackets()
        buffer.flushed += n
        inbox.broadcast()
        inbox.unlock()
        return n
    }

    /// Sequential mode: the packet goes straight through, depth first, on the caller's thread.
    func deliverNow(_ buffer: EdgeBuffer, _ packet: Packet) {
        buffer.pushed += 1
        if buffer.edge.feedback { run.pendingFeedback.append((buffer, .packet(packet))); return }
        handle(.packet(packet), from: buffer)
    }

    // MARK: Work (called on this node's queue)

    /// Handles waiting entries in arrival order across inputs until none is left.
    private func drain() {
        while true {
            inbox.lock()
            var best: EdgeBuffer?
            for b in inputs { if let s = b.headSeq, s < (best?.headSeq ?? .max) { best = b } }
            guard let buffer = best else {
                drainScheduled = false
                inbox.unlock()
                return
            }
            let entry = buffer.popFirst()
            inbox.broadcast()
            inbox.unlock()
            handle(entry, from: buffer)
        }
    }

    func handle(_ entry: EdgeEntry, from buffer: EdgeBuffer) {
        switch entry {
        case .packet(let packet):
            guard !finished else { return }
            // A loop keeps itself going through its feedback edge, so it is a source in disguise: when
            // the graph stops, the next turn of the loop ends it instead.
            if buffer.edge.feedback && run.isStopping {
                finish()
                return
            }
            stats.itemsIn += 1
            processed.add(1, ordering: .relaxed)
            timed("process \(buffer.edge.toPort)") { try node.process(packet, port: buffer.edge.toPort, self) }
            if endRequested { finish() }
        case .end:
            guard !buffer.closed else { return }
            buffer.closed = true
            openInputs -= 1
            if !buffer.edge.feedback { openPlainInputs -= 1 }
            guard !finished else { return }
            let port = buffer.edge.toPort
            if inputs.allSatisfy({ $0.edge.toPort != port || $0.closed }), closedPorts.insert(port).inserted {
                timed("input closed \(port)") { try node.inputClosed(port, self) }
            }
            if endRequested || openInputs == 0 || (openPlainInputs == 0 && !hasFeedbackInput) { finish() }
        case .consumed:
            return
        }
    }

    /// Runs one call into the node, with stats, trace and error handling.
    private func timed(_ name: @autoclosure () -> String, _ body: () throws -> Void) {
        let t0 = monotonicNanos()
        let blockedBefore = stats.blockedOnOutputNanos
        let idleBefore = idleInCallNanos
        do {
            try body()
        } catch is Cancellation {
            endRequested = true
        } catch {
            run.fail(self, error)
            endRequested = true
        }
        let t1 = monotonicNanos()
        let blocked = stats.blockedOnOutputNanos - blockedBefore + (idleInCallNanos - idleBefore)
        stats.busyNanos += (t1 - t0) - min(t1 - t0, blocked)
        busyLive.add((t1 - t0) - min(t1 - t0, blocked), ordering: .relaxed)
        if run.tracing { spans.append(TraceSpan(name: name(), start: t0, duration: t1 - t0)) }
    }

    func begin() {
        startedAt = monotonicNanos()
        timed("start") { try node.start(self) }
        if endRequested { finish() }
    }

    /// Sources: produce until done, the graph stops, or the node ends its stream.
    func runSource() {
        // A source fed from another rank keeps going when the graph stops: its producer drains too, and ends it.
        let drains = node is DrainingSource
        while !finished && !endRequested && (drains || !isStopping) {
            var result = Production.done
            timed("produce") { result = try node.produce(self) }
            if run.sequential { run.drainFeedback() }
            if result == .done { break }
        }
        finish()
    }

    /// Sequential mode: one `produce` call; returns whether the source wants another.
    func produceOnce() -> Bool {
        guard !finished else { return false }
        var result = Production.done
        if !endRequested && !run.isStopping { timed("produce") { result = try node.produce(self) } }
        run.drainFeedback()
        if result == .done || endRequested || run.isStopping { finish(); return false }
        return true
    }

    /// Exactly once: `finish`, then stop accepting input, then end of stream downstream.
    func finish() {
        guard !finished else { return }
        finished = true
        timed("finish") { try node.finish(self) }
        for handlers in taps.values { for h in handlers { h(.end) } }
        inbox.lock()
        discarding = true
        for b in inputs { _ = b.removePackets() }
        inbox.broadcast()
        inbox.unlock()
        stats.lifetimeNanos = monotonicNanos() - startedAt
        for edges in outputs.values { for e in edges { e.consumer.close(e) } }
        run.nodeFinished(self)
    }

    var isFinished: Bool { finished }

    /// A call into the node waited this long on another rank for room downstream (credits): blocked on output.
    func noteBlockedOnOutput(_ nanos: UInt64) {
        stats.blockedOnOutputNanos += nanos
        blockedLive.add(nanos, ordering: .relaxed)
    }

    /// A call into the node waited this long for input from another rank: not busy.
    func noteWaitingForInput(_ nanos: UInt64) { idleInCallNanos += nanos }

    /// Used on a hard stop to wake producers blocked on this node.
    func wakeAll() {
        inbox.lock()
        inbox.broadcast()
        inbox.unlock()
    }
}

/// A source that is really the end of an edge from elsewhere (another MPI rank): when the graph stops it keeps
/// producing what still arrives until its producer ends the stream, so nothing upstream waits on it forever.
protocol DrainingSource: AnyObject {}

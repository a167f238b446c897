import Foundation
import FlowKit
import Synchronization

/// A compiled graph run by one rank of an MPI job: this rank's nodes, with the edges to other ranks carried
/// by `RankLinks`. A failure anywhere stops every rank: each drains, finalizes its sinks and reports the
/// failing rank and node. Each rank says goodbye once its graph has finished, and waits for the others' goodbyes,
/// so no rank leaves while another may still send to it.
public final class DistributedRun: @unchecked Sendable {
    public let links: RankLinks
    /// Nil when this rank's nodes could not be created (`setupFailure` says why).
    public private(set) var run: GraphRun?
    public private(set) var setupFailure: RunFailure?
    /// The graph this rank runs: its nodes and the inserted send and receive nodes.
    public let localGraph: CompiledGraph
    /// Set from the signal handler's queue, read when the run ends.
    private let hardStop = Atomic<Bool>(false)

    public init(graph: CompiledGraph, transport: RankTransport, options: RunOptions) {
        let links = RankLinks(transport: transport)
        self.links = links
        let partition = RankPartition(graph, rank: transport.rank, links: links)
        localGraph = partition.graph
        var options = options
        let rank = transport.rank
        options.onFailure = { failure in
            var f = failure
            f.rank = rank
            links.broadcastFailure(f)
        }
        do {
            let run = try GraphRun(graph: partition.graph, options: options, instances: partition.instances)
            self.run = run
            links.onRemoteFailure { [weak run] f in run?.failElsewhere(f) }
        } catch {
            var f = (error as? RunFailure) ?? RunFailure(nodeId: "?", nodeType: "?", location: SourceLocation(file: graph.file, line: 1, column: 1),
                                                         message: "\(error)")
            f.rank = rank
            setupFailure = f
            links.broadcastFailure(f)
        }
    }

    public var rank: Int { links.rank }

    /// Runs this rank's share to the end, then waits for the other ranks to finish theirs.
    public func execute() -> RunOutcome {
        var outcome: RunOutcome
        if let run {
            outcome = run.run()
        } else {
            outcome = .failed(setupFailure!)
        }
        if case .failed(var f) = outcome, f.rank == nil {
            f.rank = rank
            outcome = .failed(f)
        }
        links.broadcastDone()
        // After a hard stop (mpirun's SIGTERM on Ctrl-C) the other ranks are being stopped too: do not wait long.
        links.waitForPeers(limit: hardStop.load(ordering: .acquiring) ? 0.5 : nil)
        return outcome
    }

    /// SIGINT: sources stop here; the other ranks drain as their inputs end.
    public func interrupt() { run?.interrupt() }

    /// A hard stop (a second SIGINT, or mpirun's SIGTERM): nothing waits any more, nodes still finish.
    public func tearDown() {
        hardStop.store(true, ordering: .releasing)
        links.tearDown()
        run?.tearDown()
    }

    /// One line per edge this rank sends on: packets, the most in flight against the edge's credits, and how
    /// often (and how long) the producer waited for the consumer's rank.
    public var creditReport: String {
        links.outboundStats.sorted { $0.key < $1.key }.map { _, o in
            String(format: "rank %d: edge %@ -> rank %d: sent %d, max in flight %d of %d credits, waited for credit %d times (%.1f ms)",
                   rank, o.name, o.peer, o.sent, o.maxInFlight, o.capacity, o.creditWaits, Double(o.waitedNanos) / 1e6)
        }.joined(separator: "\n")
    }
}

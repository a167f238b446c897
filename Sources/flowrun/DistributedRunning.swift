import Foundation
import FlowCore
import FlowKit
import FlowMPI

/// `flowrun GRAPH` under mpirun: every rank has compiled the whole graph; this runs the rank's own nodes, with
/// the edges to other ranks carried by Open MPI. Without mpirun, `RunCommand` runs the graph as one process.
enum DistributedRunning {
    struct Settings {
        var stats: Bool
        var trace: String?
        var quiet: Bool
        var log: @Sendable (String) -> Void
    }

    static func run(_ graph: CompiledGraph, transport: MPITransport, settings: Settings) throws {
        let rank = transport.rank
        if graph.ranksNeeded > transport.size {
            let placed = graph.nodes.filter { $0.rank >= transport.size }.map { "\($0.id) (rank \($0.rank))" }
            if rank == 0 {
                FileHandle.standardError.write(Data("flowrun: error: \(graph.file) places nodes on \(graph.ranksNeeded) ranks but mpirun started \(transport.size): \(placed.joined(separator: ", ")); run mpirun -np \(graph.ranksNeeded)\n".utf8))
            }
            transport.finish()
            throw ExitStatus.badInput
        }
        let say = settings.log
        var rankLog: (@Sendable (String) -> Void)?
        if !settings.quiet {
            let prefix = "rank \(rank): "
            rankLog = { line in say(prefix + line) }
        }
        let options = RunOptions(trace: settings.trace != nil, log: rankLog)
        let distributed = DistributedRun(graph: graph, transport: transport, options: options)
        if rank == 0 && graph.ranksNeeded < transport.size {
            say("rank 0: \(graph.file) places nodes on \(graph.ranksNeeded) rank(s); ranks \(graph.ranksNeeded)..<\(transport.size) have nothing to run")
        }
        let signals = RankSignals(distributed)
        let outcome = distributed.execute()
        signals.stop()
        if settings.stats, let run = distributed.run {
            let credits = distributed.creditReport
            FileHandle.standardError.write(Data(("rank \(rank): " + BLASInfo.line + "\n" + run.stats.table() + (credits.isEmpty ? "" : credits + "\n")).utf8))
        }
        if let trace = settings.trace, let run = distributed.run {
            let path = perRank(trace, rank: rank)
            do { try run.writeTrace(to: path) } catch {
                FileHandle.standardError.write(Data("flowrun: error: cannot write trace '\(path)': \(error)\n".utf8))
            }
        }
        switch outcome {
        case .completed:
            transport.finish()
        case .failed(let failure):
            FileHandle.standardError.write(Data("rank \(rank): \(failure)\n".utf8))
            transport.finish()
            throw ExitStatus.failed
        case .interrupted:
            FileHandle.standardError.write(Data("flowrun: rank \(rank) interrupted; its outputs were finalized\n".utf8))
            // mpirun is stopping the job: the other ranks may be gone, so do not wait on MPI to say goodbye.
            if !signals.hardStop { transport.finish() }
            throw ExitStatus.interrupted
        }
    }

    /// `out/trace.json` -> `out/trace.rank1.json`: each rank writes its own.
    static func perRank(_ path: String, rank: Int) -> String {
        let url = URL(fileURLWithPath: path)
        let ext = url.pathExtension
        let base = url.deletingPathExtension().path
        return ext.isEmpty ? "\(base).rank\(rank)" : "\(base).rank\(rank).\(ext)"
    }
}

/// Ctrl-C on mpirun reaches the ranks as SIGTERM (Open MPI's mpirun does not forward SIGINT; it sends SIGTERM
/// and, a second later by default, SIGKILL): stop at once, finalize outputs. SIGINT sent to a rank itself drains
/// first, as in one process.
final class RankSignals: @unchecked Sendable {
    private let sources: [DispatchSourceSignal]
    private let lock = NSLock()
    private var interrupts = 0
    private var stoppedHard = false

    init(_ run: DistributedRun) {
        let queue = DispatchQueue(label: "flowrun.rank-signals")
        signal(SIGINT, SIG_IGN)
        signal(SIGTERM, SIG_IGN)
        let int = DispatchSource.makeSignalSource(signal: SIGINT, queue: queue)
        let term = DispatchSource.makeSignalSource(signal: SIGTERM, queue: queue)
        sources = [int, term]
        int.setEventHandler { [unowned self] in
            let n = lock.withLock { interrupts += 1; return interrupts }
            if n == 1 { run.interrupt() } else { stopHard(run) }
        }
        term.setEventHandler { [unowned self] in stopHard(run) }
        for s in sources { s.resume() }
    }

    private func stopHard(_ run: DistributedRun) {
        lock.withLock { stoppedHard = true }
        run.interrupt()
        run.tearDown()
    }

    var hardStop: Bool { lock.withLock { stoppedHard } }

    func stop() { for s in sources { s.cancel() } }
}

import ArgumentParser
import Foundation
import FlowCore
import FlowKit
import FlowMPI
import FlowPreview
import Logging

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Validate a graph file, compile it into a pipeline and run it.")

    @Argument(help: "The graph file (Graphs/NAME.yaml).") var graph: String
    @Option(name: .customLong("set"), help: ArgumentHelp("Override a graph param, typed by its declaration.", valueName: "key=value"))
    var overrides: [String] = []
    @Option(name: .customLong("plugin"), help: ArgumentHelp("Load a plugin library before compiling.", valueName: "path"))
    var plugins: [String] = []
    @Flag(help: "Print per-node items, busy time, time blocked on output and waiting for input.") var stats = false
    @Option(help: ArgumentHelp("Write a Chrome trace (open it in Perfetto).", valueName: "file")) var trace: String?
    @Flag(help: "Run every packet through every stage before the next (the baseline for overlap).") var sequential = false
    @Flag(help: "No progress line and no node logs.") var quiet = false
    @Option(name: .customLong("serve"), help: ArgumentHelp("Live preview in a browser: the video, a prompt box, per-node stats, /metrics. Default 127.0.0.1 and a free port (printed); `--serve` alone takes the default.", valueName: "addr:port"))
    var serve: String?
    @Flag(name: .customLong("allow-remote"), help: "Let --serve listen on a non-loopback address (no authentication: anyone who reaches it can steer the run).")
    var allowRemote = false
    @Option(help: ArgumentHelp("Draw the run's timeline as SVG (one lane per node: busy, blocked on output, waiting for input; prompt switches).", valueName: "file.svg"))
    var report: String?
    @Option(help: ArgumentHelp("Save the session (caches, prompts, positions, decoder state, video progress) to this file when the run ends, fails or is interrupted; continue it with --resume.", valueName: "file"))
    var snapshot: String?
    @Option(help: ArgumentHelp("Continue the session saved in this file (--snapshot) with the same graph and model; the video is written to `out` from the next frame on.", valueName: "file"))
    var resume: String?
    @Option(name: .customLong("blas-kernel"), help: ArgumentHelp("OpenBLAS kernel: auto (best for this CPU), keep, or a name such as SkylakeX or Haswell; also FLOWRUN_BLAS_KERNEL.", valueName: "name"))
    var blasKernel: String?

    func run() throws {
        let (graph, _) = try GraphLoading.compile(self.graph, overrides: overrides, plugins: plugins)
        var logger = Logger(label: "flowrun")
        logger.logLevel = quiet ? .warning : .info
        let log = logger
        if let transport = try startMPI() {
            try DistributedRunning.run(graph, transport: transport,
                                       settings: .init(stats: stats, trace: trace, quiet: quiet, log: { line in log.info("\(line)") }))
            return
        }
        let options = RunOptions(sequential: sequential, trace: trace != nil || report != nil, log: { line in log.info("\(line)") })
        let serveAddress = serve.map { ServeSupport.address($0, allowRemote: allowRemote) }
        if serveAddress != nil { ServeSupport.prepare() }
        let run: GraphRun
        do { run = try GraphRun(graph: graph, options: options) } catch {
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            throw ExitStatus.failed
        }
        try SnapshotSupport.prepare(run, snapshot: snapshot, resume: resume)
        // Prompt switches as marks in the trace (and so in the report), where they reached the output.
        let marker = options.trace ? SwitchMarker(run: run) : nil
        let preview = serveAddress.map { ServeSupport.start(run: run, address: $0, logger: log) }
        let interrupts = InterruptHandler(run: run)
        let progress = quiet ? nil : ProgressLine(run: run)
        let outcome = run.run()
        progress?.stop()
        ServeSupport.stop(preview, outcome)
        interrupts.stop()
        let snapshotFailed = !SnapshotSupport.save(run, to: snapshot, outcome: outcome)
        _ = marker
        if stats {
            FileHandle.standardError.write(Data((BLASInfo.line + "\n" + run.stats.table()).utf8))
        }
        if let trace {
            do { try run.writeTrace(to: trace) } catch {
                FileHandle.standardError.write(Data("flowrun: error: cannot write trace '\(trace)': \(error)\n".utf8))
            }
        }
        if let report { ReportSupport.write(run: run, to: report) }
        switch outcome {
        case .completed:
            if snapshotFailed { throw ExitStatus.failed }
            return
        case .failed(let failure):
            FileHandle.standardError.write(Data("\(failure)\n".utf8))
            throw ExitStatus.failed
        case .interrupted:
            FileHandle.standardError.write(Data("flowrun: interrupted; outputs were finalized\n".utf8))
            throw ExitStatus.interrupted
        }
    }
}

extension RunCommand {
    /// Under mpirun: MPI, started after the graph compiled (so a bad graph exits 2 on every rank without it).
    /// Options that need the whole graph in one process are refused there.
    func startMPI() throws -> MPITransport? {
        guard ProcessInfo.processInfo.environment["OMPI_COMM_WORLD_SIZE"] != nil else { return nil }
        for (given, name) in [(sequential, "--sequential"), (serve != nil, "--serve"), (report != nil, "--report")] where given {
            FileHandle.standardError.write(Data("flowrun: error: \(name) is not supported under mpirun (run the graph without mpirun for it)\n".utf8))
            throw ExitStatus.badInput
        }
        do { return try MPITransport.startIfLaunched() } catch {
            FileHandle.standardError.write(Data("flowrun: error: cannot start MPI: \(error)\n".utf8))
            throw ExitStatus.failed
        }
    }
}

/// SIGINT once: stop sources, drain, finalize. Twice: stop waiting on full queues. Three times: exit now.
final class InterruptHandler: @unchecked Sendable {
    private let source: DispatchSourceSignal
    private var count = 0

    init(run: GraphRun) {
        signal(SIGINT, SIG_IGN)
        source = DispatchSource.makeSignalSource(signal: SIGINT, queue: DispatchQueue(label: "flowrun.signals"))
        source.setEventHandler { [unowned self] in
            count += 1
            switch count {
            case 1:
                FileHandle.standardError.write(Data("\nflowrun: interrupt: stopping sources and finalizing outputs (Ctrl-C again to stop waiting)\n".utf8))
                run.interrupt()
            case 2:
                run.tearDown()
            default:
                exit(130)
            }
        }
        source.resume()
    }

    func stop() { source.cancel() }
}

/// A one-line live status on a terminal; nothing when stdout is a file or a pipe.
final class ProgressLine: @unchecked Sendable {
    private let timer: DispatchSourceTimer?

    init(run: GraphRun) {
        guard isatty(STDOUT_FILENO) == 1 else { timer = nil; return }
        let t = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "flowrun.progress"))
        let start = Date()
        t.schedule(deadline: .now() + 0.5, repeating: 0.5)
        t.setEventHandler {
            let items = run.progress.map { "\($0.id) \($0.items)" }.joined(separator: "  ")
            let line = String(format: "\r\u{1B}[K%.1fs  ", Date().timeIntervalSince(start)) + items
            FileHandle.standardOutput.write(Data(line.prefix(200).utf8))
        }
        t.resume()
        timer = t
    }

    func stop() {
        guard let timer else { return }
        timer.cancel()
        FileHandle.standardOutput.write(Data("\r\u{1B}[K".utf8))
    }
}

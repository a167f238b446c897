// SearchBench: the speed cost of best-of-N search and the speed-up of speculative decoding, as ratios
// to the target denoiser alone (Graphs/longlive.yaml), all measured side by side in one process.
//   swift run -c release --scratch-path .build-bench SearchBench [--frames 156] [--prompts 3] [--reps 3]
//       [--taus 0,0.05,0.2] [--precisions f32,bf16] [--no-search] [--sequential] [--model DIR]
//       [--draft-steps 1000,500 [--draft-guidance 1]] [--quick]
// Configurations are interleaved within each repetition (ABCABC), so slow drift in the machine's load
// hits them all alike. FPS is frames over the time from graph start to the last frame reaching the
// output; "run FPS" uses the whole run (until the MP4 is closed). Node creation (weight loading) is
// outside both. Speculative rows show the acceptance rate from spec/target's log line; "spec twice" rows run
// the graph as it was before vae.speculative_decoder (every block decoded twice), "spec once" the shipped one;
// "spec once 2-step unguided" rows (with --draft-steps 1000,500 --draft-guidance 1) a cheaper draft.
// After the table: each configuration's busy CPU per output block, node by node (what the run's time went to).
import Foundation
import FlowCore
import FlowKit
import BuiltinNodes
import TextEncoderNodes

BLASRuntime.ensureBestKernel()
BuiltinNodes.register()
if NodeRegistry.shared.lookup("text.encoder") == nil { try NodeRegistry.shared.register(TextEncoderNode.self) }
try NodeRegistry.shared.register(FrameClock.self, origin: "SearchBench")

/// Writes unbuffered: progress lines appear as runs finish even when stdout is a pipe or a file.
func say(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }

let options = BenchOptions(arguments: CommandLine.arguments)
let configurations = Configuration.all(taus: options.taus, precisions: options.precisions, search: options.search,
                                       fastDraft: options.fastDraft)
let graphs = try BenchGraphs(repoRoot: FileManager.default.currentDirectoryPath, model: options.model)
defer { graphs.removeFiles() }

say("SearchBench")
say(MachineFacts.summary)
say("model \(graphs.model)\(options.sequential ? " (sequential scheduler)" : ""); \(options.frames) frames x \(options.prompts.count) prompt(s) x \(options.reps) rep(s); \(configurations.count) configurations, interleaved")
for (i, p) in options.prompts.enumerated() { say("prompt \(i + 1): \(p)") }

/// One run; fails the benchmark loudly rather than report a number from a broken run.
func measure(_ index: Int, prompt: String, frames: Int, rep: Int) throws -> Measurement {
    let configuration = configurations[index]
    let graph = graphs.compile(configuration, frames: frames, prompt: prompt)
    let log = RunLog()
    let run = try GraphRun(graph: graph, options: RunOptions(sequential: options.sequential, log: { log.append($0) }))
    FrameClock.reset()
    let start = DispatchTime.now().uptimeNanoseconds
    let outcome = run.run()
    let end = DispatchTime.now().uptimeNanoseconds
    guard case .completed = outcome else {
        fatalError("\(configuration.label) failed: \(outcome)\n" + log.errors.joined(separator: "\n"))
    }
    let reading = FrameClock.reading.withLock { $0 }
    let expected = (frames + 11) / 12 * 12
    if reading.frames != expected { say("warning: \(configuration.label) delivered \(reading.frames) frames, expected \(expected)") }
    return Measurement(configuration: index, rep: rep, frames: reading.frames,
                       toLastFrame: Double(reading.lastArrivalNanos - start) / 1e9, wholeRun: Double(end - start) / 1e9,
                       speculation: log.speculation, candidatesPerBlock: log.candidatesPerBlock,
                       denoiserBlockP50Ms: log.denoiserBlockP50Ms,
                       busy: run.stats.nodes.sorted { $0.busyNanos > $1.busyNanos }.map { ($0.id, Double($0.busyNanos) / 1e9) })
}

// Warm-up: two blocks of each configuration pages in the weights (target, drafter, VAE, reward) and the
// code paths, so the first measured configuration pays no first-touch cost the others do not.
for i in configurations.indices { _ = try measure(i, prompt: options.prompts[0], frames: 24, rep: -1) }

var runs: [Measurement] = []
let labelWidth = max(31, configurations.map(\.label.count).max() ?? 0)
for rep in 0..<options.reps {
    for (p, prompt) in options.prompts.enumerated() {
        for i in configurations.indices {
            let m = try measure(i, prompt: prompt, frames: options.frames, rep: rep)
            runs.append(m)
            // Padded here: Foundation on Linux ignores a width on %@.
            let label = configurations[i].label.padding(toLength: labelWidth + 1, withPad: " ", startingAt: 0)
            var line = "rep \(rep + 1) prompt \(p + 1) \(label)" + String(format: "%3d frames, last frame %6.2f s (%6.2f FPS), run %6.2f s",
                                                                          m.frames, m.toLastFrame, Double(m.frames) / m.toLastFrame, m.wholeRun)
            if let s = m.speculation { line += ", accepted \(s.kept)/\(s.total)" }
            if let c = m.candidatesPerBlock { line += String(format: ", %.1f candidates a block", c) }
            line += "; busiest: " + m.busy.prefix(3).map { String(format: "%@ %.2f s", $0.id as NSString, $0.seconds) }.joined(separator: ", ")
            say(line)
        }
    }
}

let summaries = configurations.indices.map { i in
    ConfigurationSummary(label: configurations[i].label, runs: runs.filter { $0.configuration == i })
}
say("")
say("medians over \(options.reps) rep(s); ratios are to the first row, measured in this process; load average at end: \(MachineFacts.loadAverage)")
say(ResultTable.render(summaries))
say("")
say("busy CPU per output block (ms, median over runs; a node's compute, all its threads, not waiting):")
say(BusyTable.render(configurations.indices.map { i in (configurations[i].label, runs.filter { $0.configuration == i }) }))

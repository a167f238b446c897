// LongLiveBench: the LongLive graph (Graphs/longlive.yaml) measured in one run.
//   swift run -c release --scratch-path .build-longlive LongLiveBench [--model DIR] [--quick] [--torch] [--precision f32|bf16]
//   ... LongLiveBench --retrieval [--rag-minutes 60]      LongLive-RAG: retrieval cost per block, RSS over an hour
//   ... LongLiveBench --hour [MINUTES]                    an hour of longlive.yaml: RSS by minute, block latency per 10 min,
//                                                         malloc's own totals (in use, free in its arenas) per 10 min
// Reports, for a 10 s and a 5 min video: FPS, time to first frame, per-block latency p50/p99 (time
// between block arrivals at the end of the pipeline), peak RSS and RSS growth from minute 1 to 5;
// pipelined vs --sequential, at f32 and bf16 (where the CPU has native bf16); with --torch, an end-to-end PyTorch
// loop on the same weights (torch_end_to_end.py), the f32 bound from its FLOP count and the sgemm rate measured
// here, and the denoiser alone against Training/sample.py's.
import Foundation
import FlowCore
import FlowKit
import BuiltinNodes
import TextEncoderNodes

BLASRuntime.ensureBestKernel()
BuiltinNodes.register()
if NodeRegistry.shared.lookup("text.encoder") == nil { try NodeRegistry.shared.register(TextEncoderNode.self) }
try NodeRegistry.shared.register(FrameClock.self, origin: "LongLiveBench")

let arguments = CommandLine.arguments
func option(_ name: String) -> String? {
    guard let i = arguments.firstIndex(of: name), i + 1 < arguments.count else { return nil }
    return arguments[i + 1]
}
let quick = arguments.contains("--quick")
// longlive.yaml's `precision`: both by default (f32, then bf16 where the CPU has it), or the one asked for.
let precisions = option("--precision").map { [$0] } ?? (BF16Runtime.isAvailable ? ["f32", "bf16"] : ["f32"])
nonisolated(unsafe) var precision = precisions.last!
let repoRoot = FileManager.default.currentDirectoryPath
// The graph is compiled from a temporary copy, so a relative model path is taken from the working directory here.
let model = { (p: String) in p.hasPrefix("/") ? p : repoRoot + "/" + p }(option("--model") ?? "Models/world-tiny")
let directory = FileManager.default.temporaryDirectory.appendingPathComponent("longlive-bench-\(getpid())")
try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: directory) }

print("LongLiveBench: model \(model)")
print(MachineSummary.text)

/// A LongLive graph (Graphs/longlive.yaml by default) with a frame clock next to the video encoder, and the
/// generation blocks it may include.
func graph(frames: Int, file: String = "longlive.yaml", overrides: [String] = []) throws -> CompiledGraph {
    var text = try String(contentsOfFile: repoRoot + "/Graphs/" + file, encoding: .utf8)
    text += "  clock: { type: bench.frame_clock, inputs: { frames: gen.frames } }\n"
    let path = directory.appendingPathComponent("\(file.replacingOccurrences(of: ".yaml", with: ""))-\(frames).yaml").path
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    try FileManager.default.createDirectory(at: directory.appendingPathComponent("lib"), withIntermediateDirectories: true)
    for lib in ["generate-video.yaml", "generate-video-rag.yaml"] {
        var block = try String(contentsOfFile: repoRoot + "/Graphs/lib/" + lib, encoding: .utf8)
        if arguments.contains("--no-video") {       // isolates the runtime and our nodes from the encoder
            block = block.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.hasPrefix("  video:") }.joined(separator: "\n")
        }
        try block.write(to: directory.appendingPathComponent("lib/" + lib), atomically: true, encoding: .utf8)
    }
    // `precision` of longlive.yaml is the compute precision (longlive-rag.yaml's is the memory bank's).
    let compute = file == "longlive.yaml" ? ["precision=\(precision)"] : []
    let result = GraphCompiler().compile(file: path, overrides: ["model=\(model)", "frames=\(frames)", "out=\(directory.path)/out.mp4"] + compute + overrides)
    guard let g = result.graph else { fatalError(result.renderer.render(result.diagnostics)) }
    return g
}

/// The denoiser's own per-block time (its finish line: "per block p50 X ms").
enum DenoiserLog {
    nonisolated(unsafe) static var lines: [String] = []
    static var blockP50Ms: Double? {
        guard let line = lines.first(where: { $0.contains("per block p50") }),
              let r = line.range(of: "per block p50 ") else { return nil }
        return Double(line[r.upperBound...].prefix { $0 == "." || $0.isNumber })
    }
}

/// Every node's log lines of the most recent run (the finish lines carry cache and bank sizes).
enum NodeLog {
    nonisolated(unsafe) static var lines: [String] = []
    static func finish(_ node: String) -> String? { lines.last { $0.hasPrefix("[\(node)]") } }
}

struct Measurement {
    let wall: Double
    let frames: Int
    let firstFrame: Double
    let blockP50: Double
    let blockP99: Double
    let peakRSS: Int
    let rssMinute1: Int?
    let rssPerMinute: [Int]
    let rssEnd: Int
    /// Throughput over the slowest stage's rate: max(stage busy time) / wall time.
    let stageEfficiency: Double
    let slowestStage: String
    /// Busy time per block of the denoiser and the VAE decoder (their own compute, from the run's stats).
    let denoiseBlock: Double
    let decodeBlock: Double

    var fps: Double { Double(frames) / wall }
    /// Time to the first frame over one block's denoise + decode (the least any pipeline could take).
    var firstFrameRatio: Double { firstFrame / (denoiseBlock + decodeBlock) }
}

func measure(frames: Int, sequential: Bool, file: String = "longlive.yaml", overrides: [String] = []) throws -> Measurement {
    let g = try graph(frames: frames, file: file, overrides: overrides)
    FrameClock.arrivals = []
    FrameClock.minutes = []
    FrameClock.delivered = 0
    DenoiserLog.lines = []
    NodeLog.lines = []
    let run = try GraphRun(graph: g, options: RunOptions(sequential: sequential, log: { line in
        if line.hasPrefix("[gen/denoise]") { DenoiserLog.lines.append(line) }
        NodeLog.lines.append(line)
    }))
    FrameClock.origin = DispatchTime.now().uptimeNanoseconds
    let t0 = DispatchTime.now().uptimeNanoseconds
    guard case .completed = run.run() else { fatalError("benchmark graph failed") }
    let wall = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
    let a = FrameClock.arrivals
    let gaps = zip(a.dropFirst(), a).map { $0.seconds - $1.seconds }.sorted()
    // RSS when the first minute of video (960 frames) has come out, for the growth from minute 1 to the end.
    var delivered = 0
    var minutes: [Int] = []
    for arrival in a {
        delivered += arrival.frames
        if delivered >= (minutes.count + 1) * 60 * 16 { minutes.append(arrival.rssBytes) }
    }
    let slowest = run.stats.nodes.max { $0.busyNanos < $1.busyNanos }
    let efficiency = Double(slowest?.busyNanos ?? 0) / 1e9 / wall
    // Blocks = batches the decoder sent on (one per block).
    let blocks = run.stats.nodes.first { $0.id == "gen/vae" }?.itemsOut ?? 0
    func perBlock(_ id: String) -> Double {
        guard let n = run.stats.nodes.first(where: { $0.id == id }), blocks > 0 else { return .nan }
        return Double(n.busyNanos) / 1e9 / Double(blocks)
    }
    return Measurement(wall: wall, frames: a.reduce(0) { $0 + $1.frames }, firstFrame: a.first?.seconds ?? .nan,
                       blockP50: gaps.isEmpty ? .nan : gaps[gaps.count / 2],
                       blockP99: gaps.isEmpty ? .nan : gaps[min(gaps.count - 1, Int(Double(gaps.count) * 0.99))],
                       peakRSS: Memory.peakBytes(), rssMinute1: minutes.first, rssPerMinute: minutes, rssEnd: a.last?.rssBytes ?? 0,
                       stageEfficiency: efficiency, slowestStage: slowest?.id ?? "?",
                       denoiseBlock: perBlock("gen/denoise"), decodeBlock: perBlock("gen/vae"))
}

func report(_ label: String, _ m: Measurement) {
    var line = String(format: "%-28@ %6d frames in %6.2f s = %6.1f FPS (x%.1f real time), first frame %.3f s, block p50 %.1f ms p99 %.1f ms, peak RSS %.0f MiB",
                      label as NSString, m.frames, m.wall, m.fps, m.fps / 16, m.firstFrame, m.blockP50 * 1000, m.blockP99 * 1000, Double(m.peakRSS) / 1_048_576)
    line += String(format: ", throughput / slowest stage (%@) %.2f", m.slowestStage as NSString, m.stageEfficiency)
    line += String(format: ", per block: denoise %.1f ms, decode %.1f ms, first frame / (denoise + decode) %.2f",
                   m.denoiseBlock * 1000, m.decodeBlock * 1000, m.firstFrameRatio)
    if let r1 = m.rssMinute1 {
        line += String(format: ", RSS minute 1 -> end %+.2f%%", 100 * (Double(m.rssEnd) / Double(r1) - 1))
        line += ", RSS by minute (MiB) " + m.rssPerMinute.map { String($0 / 1_048_576) }.joined(separator: " ")
    }
    print(line)
}

if let n = option("--leak-check").flatMap(Int.init) {
    try LeakCheck.run(model: model, blocks: n, rag: arguments.contains("--rag"))
    exit(0)
}
if arguments.contains("--retrieval") || option("--rag-minutes") != nil {
    // LongLive-RAG: the denoiser's block time (10 s, pipelined) beside retrieval with an hour-long bank; then
    // longlive-rag.yaml for --rag-minutes (default 60) of video: RSS by minute and the bank against its budget.
    _ = try measure(frames: 24, sequential: false)
    report("10 s pipelined (longlive)", try measure(frames: 160, sequential: false))
    try RetrievalCost.run(model: model, frames: 14_400, denoiserBlockMs: DenoiserLog.blockP50Ms)
    if let minutes = option("--rag-minutes").flatMap(Int.init) {
        let m = try measure(frames: minutes * 60 * 16, sequential: false, file: "longlive-rag.yaml")
        report("\(minutes) min longlive-rag", m)
        for node in ["gen/kv", "gen/memory"] { print(NodeLog.finish(node) ?? "(no finish line from \(node))") }
    }
    exit(0)
}
if let only = option("--only").flatMap(Int.init) {     // one pipelined run, for profilers
    report("\(only) frames pipelined", try measure(frames: only, sequential: arguments.contains("--sequential")))
    exit(0)
}
let torchOnly = arguments.contains("--torch-only")
let short = 160                       // 10 s at 16 fps
let long = quick ? 960 : 4800          // 5 min (quick: 1 min)
_ = try measure(frames: 24, sequential: false)      // warm-up: page in the weights
if let minutes = option("--hour").flatMap(Int.init) ?? (arguments.contains("--hour") ? 60 : nil) {
    try HourRun.run(minutes: minutes, precision: precision)
    exit(0)
}
// The warm-up's pipelined run left OpenBLAS at one thread (three heavy nodes on two cores); the bound is the
// machine's, so the rate is measured on every core (one thread measured 94-148 GFLOPS here, two 189-194).
BLASRuntime.setThreads(ProcessInfo.processInfo.activeProcessorCount)
let sgemm = SgemmRate.measure()
print(String(format: "sgemm f32 (OpenBLAS, 1536^3, %d threads): %.1f GFLOPS", BLASRuntime.threads, sgemm))
var pipelinedFPS: [String: Double] = [:]
if !torchOnly {
    for p in precisions {
        precision = p
        let pipelined = try measure(frames: short, sequential: false)
        report("10 s pipelined \(p)", pipelined)
        let sequential = try measure(frames: short, sequential: true)
        report("10 s --sequential \(p)", sequential)
        print(String(format: "%@: pipelined / sequential throughput %.2fx; pipelined throughput / (1 / slowest stage) %.2f (target >= 0.95); first frame / (one block's denoise + decode) %.2f (target <= 1.2)",
                     p as NSString, pipelined.fps / sequential.fps, pipelined.stageEfficiency, pipelined.firstFrameRatio))
        pipelinedFPS[p] = pipelined.fps
    }
    if let f32 = pipelinedFPS["f32"], let bf16 = pipelinedFPS["bf16"] {
        print(String(format: "bf16 / f32 throughput (10 s pipelined): %.2fx", bf16 / f32))
    }
    precision = precisions.last!
    report((quick ? "1 min pipelined " : "5 min pipelined ") + precision, try measure(frames: long, sequential: false))
}

if arguments.contains("--torch") || torchOnly {
    let blocks = quick ? 10 : 40
    if let peer = EndToEndPeer.run(repoRoot: repoRoot, model: model, blocks: blocks) {
        let settings = peer.fps.sorted { $0.key < $1.key }.map { String(format: "%@ %.1f", $0.key as NSString, $0.value) }.joined(separator: ", ")
        print("end-to-end torch peer (torch \(peer.torchVersion), \(blocks) blocks, denoise + decode to uint8 frames, FPS): \(settings)")
        for (p, fps) in pipelinedFPS.sorted(by: { $0.key < $1.key }) {
            print(String(format: "end-to-end flowrun vs torch: %.2fx (flowrun %@ pipelined %.1f FPS, torch best %@ %.1f FPS; target >= 2x)",
                         fps / peer.bestFPS, p as NSString, fps, peer.best as NSString, peer.bestFPS))
        }
        let bound = sgemm * 1e9 / peer.flopsPerFrame
        print(String(format: "work per frame %.3f GFLOP (torch FlopCounterMode, one steady block / 12); f32 bound = sgemm rate / work = %.1f FPS",
                     peer.flopsPerFrame / 1e9, bound))
        for (p, fps) in pipelinedFPS.sorted(by: { $0.key < $1.key }) {
            print(String(format: "flowrun %@ at %.0f%% of the f32 bound (target >= 70%% for f32, beyond it with bf16)", p as NSString, 100 * fps / bound))
        }
    }
    // The denoiser alone against torch's (Training/sample.py's loop), as before.
    precision = "f32"
    _ = try measure(frames: blocks * 12, sequential: true)
    if let ms = DenoiserLog.blockP50Ms {
        TorchPeer.run(repoRoot: repoRoot, model: model, blocks: blocks, swiftBlockMs: ms)
    } else {
        print("no per-block time from the denoiser's log")
    }
}

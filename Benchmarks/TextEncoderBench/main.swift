// TextEncoderBench: all-MiniLM-L6-v2 sentences/s in Swift against PyTorch on the same CPU, in one run.
//
//   swift build -c release --scratch-path .build-text --product TextEncoderBench
//   .build-text/release/TextEncoderBench [--threads N] [--runs R] [--seconds S] [--no-torch] [--case I] [--blas-kernel NAME]
//
// Batch 1 and batch 32, 16-token and 128-token prompts (distinct texts of exactly that many tokens),
// text in, unit sentence embedding out on both sides (tokenizer included). The torch peer
// (torch_peer.py, started once) and Swift take turns run by run, so both see the same background
// load; figures are medians of R runs of at least S seconds each, with the load average printed.
// Targets (issue 4): >= 1.5x torch at batch 1, >= 1.0x at batch 32.
import Foundation
import FlowKit
import TextEncoderNodes

let outcome = BLASRuntime.ensureBestKernel()
let arguments = CommandLine.arguments
func option(_ name: String) -> String? {
    guard let i = arguments.firstIndex(of: name), i + 1 < arguments.count else { return nil }
    return arguments[i + 1]
}
let threads = Int(option("--threads") ?? "") ?? 2
let runs = Int(option("--runs") ?? "") ?? 5
let minSeconds = Double(option("--seconds") ?? "") ?? 0.5
BLASRuntime.setThreads(threads)

let model: TextEncoderModel
do { model = try TextEncoderModel.locateAndLoad() } catch { print("\(error)"); exit(1) }

let cpu = CPUFeatures.current()
print("TextEncoderBench: all-MiniLM-L6-v2, text -> unit sentence embedding")
print("  machine: \(cpu.modelName), \(cpu.logicalCores) logical cores")
print("  BLAS:    \(BLASRuntime.description)  (\(outcome))")
print("  threads: \(threads) (Swift OpenBLAS and torch), median of \(runs) interleaved runs of >= \(minSeconds) s each")
print("  model:   \(model.folder)")

var cases: [TorchPeer.Config.Case] = []
for batch in [1, 32] {
    for tokens in [16, 128] {
        cases.append(.init(name: "batch \(batch), \(tokens) tokens", batch: batch, tokens: tokens,
                           texts: BenchPrompts.make(count: batch, tokens: tokens, tokenizer: model.tokenizer)))
    }
}

var peer: TorchPeer? = nil
if !arguments.contains("--no-torch") {
    do { peer = try TorchPeer(.init(threads: threads, min_seconds: minSeconds, configs: cases)) } catch { print("  torch peer: \(error)") }
}
print("  peer:    \(peer?.version ?? "not run")")
print("  load:    \(Measure.loadAverage()) (before)")
print("")
func column(_ s: String, _ w: Int) -> String { String(repeating: " ", count: max(0, w - s.count)) + s }
print("case                      Swift sent/s   torch sent/s    ratio  target")
// --case N limits the run to one case (0: batch 1 × 16 ... 3: batch 32 × 128), for profiling.
let onlyCase = Int(option("--case") ?? "")
for (index, c) in cases.enumerated() where onlyCase == nil || onlyCase == index {
    let measure = try Measure(minSeconds: minSeconds) { _ = try model.embed(c.texts) }
    var swift: [Double] = [], torch: [Double] = []
    // Interleaved, so both sides share whatever else the machine is doing.
    for _ in 0..<runs {
        swift.append(try measure.run(batch: c.batch) { _ = try model.embed(c.texts) })
        if let peer { torch.append(try peer.run(index)) }
    }
    let s = Measure.median(swift), t = torch.isEmpty ? nil : Measure.median(torch)
    let target = c.batch == 1 ? ">= 1.5x" : ">= 1.0x"
    print(c.name.padding(toLength: 24, withPad: " ", startingAt: 0)
          + column(String(format: "%.1f", s), 15) + column(t.map { String(format: "%.1f", $0) } ?? "-", 15)
          + column(t.map { String(format: "%.2fx", s / $0) } ?? "-", 9) + "  " + target)
}
peer?.stop()
print("")
print("  load:    \(Measure.loadAverage()) (after)")

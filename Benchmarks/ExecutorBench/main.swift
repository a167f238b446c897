// ExecutorBench: what the scheduler costs and what it buys, measured side by side in one run.
//   swift run -c release ExecutorBench [--quick]
// (a) per-hop overhead: a chain of zero-cost stages, 9 hops minus 1 hop, per packet and hop;
// (b) overlap: stages costing X, 2X, X (sleeping, then spinning) — throughput ÷ (1 / slowest stage);
// (c) the same graphs with --sequential (each packet through every stage before the next starts).
import Foundation
import FlowCore
import FlowKit
import BuiltinNodes

BLASRuntime.ensureBestKernel()
BuiltinNodes.register()

let quick = CommandLine.arguments.contains("--quick")
let repeats = quick ? 1 : 5
let directory = FileManager.default.temporaryDirectory.appendingPathComponent("flowrun-executor-bench-\(getpid())")
try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: directory) }

func compiled(_ yaml: String) -> CompiledGraph {
    let path = directory.appendingPathComponent("g\(UUID().uuidString).yaml").path
    try! yaml.write(toFile: path, atomically: true, encoding: .utf8)
    let result = GraphCompiler().compile(file: path)
    guard let g = result.graph else { fatalError(result.renderer.render(result.diagnostics)) }
    return g
}

/// Median wall time in seconds over `repeats` runs.
func seconds(_ graph: CompiledGraph, sequential: Bool = false) -> Double {
    var times: [Double] = []
    for _ in 0..<repeats {
        let run = try! GraphRun(graph: graph, options: RunOptions(sequential: sequential))
        let t0 = DispatchTime.now().uptimeNanoseconds
        guard case .completed = run.run() else { fatalError("benchmark graph failed") }
        times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
    }
    return times.sorted()[times.count / 2]
}

func chain(hops: Int, packets: Int, capacity: Int) -> CompiledGraph {
    var yaml = "version: 1\nname: chain\nnodes:\n  src: { type: source.counter, count: \(packets) }\n"
    var previous = "src.value"
    for i in 0..<(hops - 1) {
        yaml += "  s\(i): { type: compute.work, queue: \(capacity), inputs: { in: \(previous) } }\n"
        previous = "s\(i).out"
    }
    yaml += "  sink: { type: sink.collect, queue: \(capacity), inputs: { in: \(previous) } }\n"
    return compiled(yaml)
}

func stages(mode: String, x: Double, packets: Int) -> CompiledGraph {
    compiled("""
    version: 1
    name: overlap
    nodes:
      src: { type: source.counter, count: \(packets) }
      a: { type: compute.work, mode: \(mode), cost_us: \(x), inputs: { in: src.value } }
      b: { type: compute.work, mode: \(mode), cost_us: \(2 * x), inputs: { in: a.out } }
      c: { type: compute.work, mode: \(mode), cost_us: \(x), inputs: { in: b.out } }
      sink: { type: sink.collect, inputs: { in: c.out } }
    """)
}

print("flowrun ExecutorBench — \(ProcessInfo.processInfo.activeProcessorCount) cores, \(BLASRuntime.description), vector kernels \(VectorISA.active)")
print("median of \(repeats) runs each\n")

print("(a) per-hop overhead (zero-cost stages; (T[9 hops] - T[1 hop]) / (8 x packets))")
let hopPackets = quick ? 2000 : 20000
for capacity in [1, 2, 8] {
    let t1 = seconds(chain(hops: 1, packets: hopPackets, capacity: capacity))
    let t9 = seconds(chain(hops: 9, packets: hopPackets, capacity: capacity))
    let ns = (t9 - t1) / Double(8 * hopPackets) * 1e9
    print(String(format: "  capacity %d: %7.0f ns per packet per hop   (1 hop %.3f s, 9 hops %.3f s, %d packets)", capacity, ns, t1, t9, hopPackets))
}

print("\n(b) overlap and (c) sequential baseline: stages X, 2X, X")
let x = 2000.0
let packets = quick ? 40 : 150
for mode in ["sleep", "spin"] {
    let g = stages(mode: mode, x: x, packets: packets)
    let pipelined = seconds(g)
    let sequential = seconds(g, sequential: true)
    let ideal = Double(packets) * 2 * x / 1e6 // slowest stage bounds throughput
    print(String(format: "  %@-bound, X = %.0f us, %d packets:", mode, x, packets))
    print(String(format: "    pipelined  %.3f s   overlap efficiency = throughput / (1 / slowest stage) = %.3f", pipelined, ideal / pipelined))
    print(String(format: "    sequential %.3f s   efficiency %.3f", sequential, ideal / sequential))
    print(String(format: "    pipelined / sequential speedup: %.2fx (ideal %.2fx)", sequential / pipelined, 4.0 / 2.0))
}

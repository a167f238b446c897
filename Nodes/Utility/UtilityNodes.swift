import FlowKit

/// The utility family: sources, work and sinks for tests, demos and benchmarks.
///
///     count: { type: source.counter, count: 200 }
///     work:  { type: compute.work, mode: spin, cost_us: 500, inputs: { in: count.value } }
///     sink:  { type: sink.collect, path: out/lines.txt, inputs: { in: work.out } }
///
/// - Types: `source.counter`, `compute.work`, `sink.collect`, `loop.step`, `tensor.source`, `tensor.mean`,
///   `frames.pattern` (one file each, `TensorNodes.swift` holds the tensor pair; classes are named by the rule in docs/nodes.md).
/// - Tests: `Tests/FlowCoreTests` (the scheduler, flushes, feedback loops and the bad-graph corpus run on these).
/// - Benchmark: `Benchmarks/ExecutorBench` (per-hop overhead, overlap against --sequential).
public enum UtilityNodes {
    public static var types: [any Node.Type] { [
        SourceCounterNode.self, ComputeWorkNode.self, SinkCollectNode.self, LoopStepNode.self, TensorSourceNode.self, TensorMeanNode.self, FramesPatternNode.self,
    ] }
}

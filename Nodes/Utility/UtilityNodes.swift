import FlowKit

/// The utility family: sources, work and sinks for tests, demos and benchmarks.
public enum UtilityNodes {
    public static var types: [any Node.Type] { [
        CounterSource.self, ComputeWork.self, CollectSink.self, LoopStep.self, TensorSource.self, TensorMean.self, FramePattern.self,
    ] }
}

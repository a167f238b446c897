import FlowKit

/// Collects what `BlockSampler.generate` fed to and predicted at every step, for all candidates of a
/// batched call at once; `trajectories` splits them per candidate. Only a denoiser asked for its
/// trajectories (`trajectories: true`, GRPO rollouts) passes one, so a plain run keeps no extra tensors.
final class SamplerTrace {
    private(set) var states: [Tensor] = []
    private(set) var predictions: [Tensor] = []

    func record(state: Tensor, prediction: Tensor) {
        states.append(state)
        predictions.append(prediction)
    }

    /// Candidate `c` of `count` (rows `c * blockFrames ..< (c + 1) * blockFrames` of every recorded tensor).
    func candidate(_ c: Int, of count: Int, blockFrames: Int) -> (states: [Tensor], predictions: [Tensor]) {
        func part(_ t: Tensor) -> Tensor { count == 1 ? t.contiguous() : t.slice(dim: 0, (c * blockFrames)..<((c + 1) * blockFrames)).contiguous() }
        return (states.map(part), predictions.map(part))
    }
}

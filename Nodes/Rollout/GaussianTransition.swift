import Foundation
import FlowKit

/// The sampler's re-noising step as a Gaussian policy: x' ~ N((1 - s') * x0, s'^2 I), so the log-probability
/// of the state it drew is exact: `-|eps|^2 / 2 - D log s' - D/2 log(2 pi)`, eps = (x' - (1 - s') x0) / s'.
/// The same formula in Training/grpo.py, with x0 from the model being trained, gives the policy ratio.
enum GaussianTransition {
    static func logProbability(next: Tensor, prediction: Tensor, sigmaNext: Float) -> Double {
        precondition(next.shape == prediction.shape && sigmaNext > 0, "GaussianTransition: shapes \(next.shape) and \(prediction.shape), sigma \(sigmaNext)")
        let s = Double(sigmaNext)
        var squares = 0.0
        next.withUnsafeFloats { xs in
            prediction.withUnsafeFloats { ps in
                for i in 0..<xs.count {
                    let eps = (Double(xs[i]) - (1 - s) * Double(ps[i])) / s
                    squares += eps * eps
                }
            }
        }
        let d = Double(next.count)
        return -0.5 * squares - d * log(s) - 0.5 * d * log(2 * Double.pi)
    }

    /// Every stochastic step of a trajectory: step i draws states[i + 1] around predictions[i].
    static func transitions(_ t: SamplerTrajectory) -> [TransitionRecord] {
        (0..<max(t.sigmas.count - 1, 0)).map { i in
            TransitionRecord(step: i, sigma: t.sigmas[i], sigmaNext: t.sigmas[i + 1],
                             logProb: logProbability(next: t.states[i + 1], prediction: t.predictions[i], sigmaNext: t.sigmas[i + 1]))
        }
    }
}

import Foundation
import FlowKit

/// Sinusoidal timestep features `[cos(t w_i), sin(t w_i)]`, w_i = exp(-ln(10000) i / half).
/// The frequencies and the angle are rounded to f32 as the trained model (torch, f32) saw them:
/// at t ~ 1000 that rounding changes the features noticeably.
enum TimestepEmbedding {
    static func features(_ timesteps: [Float], dim: Int) -> Tensor {
        let half = dim / 2
        let freqs: [Float] = (0..<half).map { Float(exp(-log(10000.0) * Double($0) / Double(half))) }
        return Tensor(shape: [timesteps.count, dim]) { out in
            for (r, t) in timesteps.enumerated() {
                for i in 0..<half {
                    let angle = Double(t * freqs[i])
                    out[r * dim + i] = Float(cos(angle))
                    out[r * dim + half + i] = Float(sin(angle))
                }
            }
        }
    }
}

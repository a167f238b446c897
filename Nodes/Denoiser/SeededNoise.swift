import Foundation
import FlowKit

/// Gaussian noise that depends only on (seed, block, draw): the same seed and graph give the same
/// frames however the pipeline is scheduled. SplitMix64 for bits, Box-Muller for normals.
struct SeededNoise: Sendable {
    let seed: UInt64

    func tensor(shape: [Int], block: Int, draw: Int) -> Tensor {
        var state = seed &* 0x9E37_79B9_7F4A_7C15 ^ UInt64(truncatingIfNeeded: block) &* 0xBF58_476D_1CE4_E5B9
            ^ UInt64(truncatingIfNeeded: draw) &* 0x94D0_49BB_1331_11EB
        func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        func uniform() -> Double { (Double(next() >> 11) + 0.5) / Double(1 << 53) }   // (0, 1), never 0
        return Tensor(shape: shape) { out in
            var i = 0
            while i < out.count {
                let r = (-2 * log(uniform())).squareRoot(), a = 2 * Double.pi * uniform()
                out[i] = Float(r * cos(a))
                if i + 1 < out.count { out[i + 1] = Float(r * sin(a)) }
                i += 2
            }
        }
    }
}

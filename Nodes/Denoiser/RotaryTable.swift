import Foundation
import FlowKit

/// 3D rotary embedding on interleaved pairs, as world-tiny uses it: head_dim splits into (t, y, x)
/// spans; pair j of a span of d channels turns by position * theta^(-2j/d); pair i rotates
/// channels (2i, 2i+1). (FlowTensor's `rope3D` rotates halves, a different convention.)
struct RotaryTable {
    let tokens: Int
    let pairs: Int
    let cosines: [Float]
    let sines: [Float]

    /// Tokens ordered frame by frame, row-major in the grid of each frame.
    init(framePositions: [Int], grid: Int, axes: [Int], theta: Double) {
        var freqs: [(axis: Int, freq: Double)] = []
        for (a, d) in axes.enumerated() {
            for j in 0..<(d / 2) { freqs.append((a, 1 / pow(theta, Double(2 * j) / Double(d)))) }
        }
        pairs = freqs.count
        tokens = framePositions.count * grid * grid
        // A pair's angle depends on one coordinate only, so each (pair, coordinate) is computed once and copied to
        // every token that shares it (a forward call made this table anew, and cos/sin were 5% of the denoiser's
        // own time); the values are the ones computed per token before.
        func turns(_ values: [Int]) -> (cos: [[Float]], sin: [[Float]]) {
            let angles = values.map { v in freqs.map { Double(v) * $0.freq } }
            return (angles.map { $0.map { Float(cos($0)) } }, angles.map { $0.map { Float(sin($0)) } })
        }
        let time = turns(framePositions), space = turns(Array(0..<grid))
        var c = [Float](), s = [Float]()
        c.reserveCapacity(tokens * pairs)
        s.reserveCapacity(tokens * pairs)
        for f in framePositions.indices {
            for gy in 0..<grid {
                for gx in 0..<grid {
                    for (i, (axis, _)) in freqs.enumerated() {
                        let (table, at) = axis == 0 ? (time, f) : (space, axis == 1 ? gy : gx)
                        c.append(table.cos[at][i])
                        s.append(table.sin[at][i])
                    }
                }
            }
        }
        cosines = c
        sines = s
    }

    /// x [heads, tokens, headDim] -> rotated copy.
    func apply(_ x: Tensor) -> Tensor {
        precondition(x.rank == 3 && x.shape[1] == tokens && x.shape[2] == 2 * pairs, "rotary: \(x.shape) vs \(tokens) tokens x \(2 * pairs)")
        let heads = x.shape[0], d = 2 * pairs
        return Tensor(shape: x.shape) { out in
            x.withUnsafeFloats { src in
                cosines.withUnsafeBufferPointer { cs in
                    sines.withUnsafeBufferPointer { sn in
                        for h in 0..<heads {
                            for t in 0..<tokens {
                                let row = (h * tokens + t) * d
                                let s = src.baseAddress! + row, o = out.baseAddress! + row
                                let cr = cs.baseAddress! + t * pairs, sr = sn.baseAddress! + t * pairs
                                for i in 0..<pairs {
                                    let a = s[2 * i], b = s[2 * i + 1]
                                    o[2 * i] = a * cr[i] - b * sr[i]
                                    o[2 * i + 1] = a * sr[i] + b * cr[i]
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

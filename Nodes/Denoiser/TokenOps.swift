import FlowKit

/// Small per-token operations of the DiT that FlowTensor has no kernel for.
enum TokenOps {
    /// LN(x) * (1 + scale) + shift, where `mod` [F, k*D] holds per-frame vectors and
    /// `scaleAt`/`shiftAt` pick the D-wide chunks; row n belongs to frame n / tokensPerFrame.
    static func modulate(_ x: Tensor, mod: Tensor, shiftAt: Int, scaleAt: Int, tokensPerFrame: Int, epsilon: Float) -> Tensor {
        var y = Kernels.layerNorm(x, epsilon: epsilon)
        let d = x.shape[1], width = mod.shape[1]
        mod.withUnsafeFloats { m in
            y.withUnsafeMutableFloats { out in
                for n in 0..<x.shape[0] {
                    let f = n / tokensPerFrame
                    let shift = m.baseAddress! + f * width + shiftAt * d, scale = m.baseAddress! + f * width + scaleAt * d
                    let row = out.baseAddress! + n * d
                    for j in 0..<d { row[j] = row[j] * (1 + scale[j]) + shift[j] }
                }
            }
        }
        return y
    }

    /// x += gate * y, with the gate chunk `gateAt` of the per-frame `mod` (nil gate: plain add). In place: the
    /// residual stream is held by its layer loop alone, so this writes it without the copy a new tensor took.
    static func addGated(into x: inout Tensor, _ y: Tensor, mod: Tensor?, gateAt: Int, tokensPerFrame: Int) {
        let d = x.shape[1], rows = x.shape[0]
        y.withUnsafeFloats { ys in
            x.withUnsafeMutableFloats { o in
                if let mod {
                    let width = mod.shape[1]
                    mod.withUnsafeFloats { m in
                        for n in 0..<rows {
                            let g = m.baseAddress! + (n / tokensPerFrame) * width + gateAt * d
                            for j in 0..<d { o[n * d + j] += g[j] * ys[n * d + j] }
                        }
                    }
                } else {
                    for i in 0..<o.count { o[i] += ys[i] }
                }
            }
        }
    }

    /// x [N, D] + row [1, D] on every row.
    static func addToEveryRow(_ x: Tensor, _ row: Tensor) -> Tensor {
        var out = x.contiguous()
        let d = x.shape[1]
        precondition(row.count == d, "addToEveryRow: a row of \(row.count) values for width \(d)")
        row.withUnsafeFloats { r in
            out.withUnsafeMutableFloats { o in
                for i in 0..<o.count { o[i] += r[i % d] }
            }
        }
        return out
    }

    /// [N, heads*hd] -> [heads, N, hd]
    static func splitHeads(_ x: Tensor, heads: Int) -> Tensor {
        let n = x.shape[0], hd = x.shape[1] / heads
        return x.reshaped([n, heads, hd]).permuted([1, 0, 2]).contiguous()
    }

    /// [heads, N, hd] -> [N, heads*hd]
    static func mergeHeads(_ x: Tensor) -> Tensor {
        let h = x.shape[0], n = x.shape[1], hd = x.shape[2]
        return x.permuted([1, 0, 2]).contiguous().reshaped([n, h * hd])
    }

    /// z [F, C, H, W] -> tokens [F*g*g, C*p*p]; token (f, gy, gx) row-major, feature c*p*p + dy*p + dx.
    static func patchify(_ z: Tensor, patch p: Int) -> Tensor {
        let f = z.shape[0], c = z.shape[1], h = z.shape[2], w = z.shape[3]
        return z.reshaped([f, c, h / p, p, w / p, p]).permuted([0, 2, 4, 1, 3, 5]).contiguous()
            .reshaped([f * (h / p) * (w / p), c * p * p])
    }

    /// Inverse of `patchify`.
    static func unpatchify(_ x: Tensor, frames f: Int, channels c: Int, size: Int, patch p: Int) -> Tensor {
        let g = size / p
        return x.reshaped([f, g, g, c, p, p]).permuted([0, 3, 1, 4, 2, 5]).contiguous().reshaped([f, c, size, size])
    }
}

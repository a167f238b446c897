extension Kernels {
    /// Nearest-neighbour upsampling of the last two dimensions by integer factors.
    public static func upsampleNearest(_ x: Tensor, scale: (h: Int, w: Int)) -> Tensor {
        x.requireF32("upsampleNearest")
        precondition(x.rank >= 2 && scale.h > 0 && scale.w > 0, "upsampleNearest: bad input \(x.shape) or scale")
        let h = x.size(-2), w = x.size(-1), oh = h * scale.h, ow = w * scale.w
        let planes = x.count / max(h * w, 1)
        return Tensor(shape: Array(x.shape.dropLast(2)) + [oh, ow]) { out in
            x.withUnsafeFloats { src in
                for p in 0..<planes {
                    let s = src.baseAddress! + p * h * w, o = out.baseAddress! + p * oh * ow
                    for y in 0..<h {
                        // Widen the source row once, then copy it for the other rows it covers.
                        let srcRow = s + y * w, dst = o + y * scale.h * ow
                        for xi in 0..<w {
                            let v = srcRow[xi]
                            for r in 0..<scale.w { dst[xi * scale.w + r] = v }
                        }
                        for r in 1..<max(scale.h, 1) { (dst + r * ow).update(from: dst, count: ow) }
                    }
                }
            }
        }
    }

    /// Bilinear resize of the last two dimensions to `size`, half-pixel centres
    /// (PyTorch `align_corners=False`, no antialiasing).
    public static func upsampleBilinear(_ x: Tensor, size: (h: Int, w: Int)) -> Tensor {
        x.requireF32("upsampleBilinear")
        precondition(x.rank >= 2 && size.h > 0 && size.w > 0, "upsampleBilinear: bad input \(x.shape) or size")
        let h = x.size(-2), w = x.size(-1), oh = size.h, ow = size.w
        let planes = x.count / max(h * w, 1)
        let ys = BilinearTaps(input: h, output: oh), xs = BilinearTaps(input: w, output: ow)
        return Tensor(shape: Array(x.shape.dropLast(2)) + [oh, ow]) { out in
            x.withUnsafeFloats { src in
                for p in 0..<planes {
                    let s = src.baseAddress! + p * h * w, o = out.baseAddress! + p * oh * ow
                    for y in 0..<oh {
                        let r0 = s + ys.low[y] * w, r1 = s + ys.high[y] * w, fy = ys.fraction[y]
                        for xo in 0..<ow {
                            let a = xs.low[xo], b = xs.high[xo], fx = xs.fraction[xo]
                            let top = r0[a] + (r0[b] - r0[a]) * fx
                            let bottom = r1[a] + (r1[b] - r1[a]) * fx
                            o[y * ow + xo] = top + (bottom - top) * fy
                        }
                    }
                }
            }
        }
    }

    /// [..., C·r², H, W] → [..., C, H·r, W·r]: out[c, h·r+i, w·r+j] = in[c·r²+i·r+j, h, w].
    public static func pixelShuffle(_ x: Tensor, factor r: Int) -> Tensor {
        x.requireF32("pixelShuffle")
        precondition(x.rank >= 3 && r > 0 && x.size(-3) % (r * r) == 0, "pixelShuffle: \(x.shape) with factor \(r)")
        let lead = Array(x.shape.dropLast(3)), c = x.size(-3) / (r * r), h = x.size(-2), w = x.size(-1)
        // As a permutation: [L, C, r, r, H, W] → [L, C, H, r, W, r].
        let l = lead.reduce(1, *)
        return x.reshaped([l, c, r, r, h, w]).permuted([0, 1, 4, 2, 5, 3]).copied().reshaped(lead + [c, h * r, w * r])
    }

    /// Inverse of `pixelShuffle`: [..., C, H·r, W·r] → [..., C·r², H, W].
    public static func pixelUnshuffle(_ x: Tensor, factor r: Int) -> Tensor {
        x.requireF32("pixelUnshuffle")
        precondition(x.rank >= 3 && r > 0 && x.size(-2) % r == 0 && x.size(-1) % r == 0, "pixelUnshuffle: \(x.shape) with factor \(r)")
        let lead = Array(x.shape.dropLast(3)), c = x.size(-3), h = x.size(-2) / r, w = x.size(-1) / r
        let l = lead.reduce(1, *)
        return x.reshaped([l, c, h, r, w, r]).permuted([0, 1, 3, 5, 2, 4]).copied().reshaped(lead + [c * r * r, h, w])
    }
}

/// Source indices and weights along one axis for bilinear resizing.
struct BilinearTaps {
    var low: [Int], high: [Int], fraction: [Float]
    init(input: Int, output: Int) {
        low = []; high = []; fraction = []
        let ratio = Double(input) / Double(output)
        for i in 0..<output {
            let src = max((Double(i) + 0.5) * ratio - 0.5, 0)
            let i0 = min(Int(src), input - 1)
            low.append(i0)
            high.append(min(i0 + 1, input - 1))
            fraction.append(Float(src - Double(i0)))
        }
    }
}

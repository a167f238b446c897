internal import CKernels

extension Kernels {
    /// Layer norm over the last dimension, with optional per-feature weight (γ) and bias (β).
    public static func layerNorm(_ x: Tensor, weight: Tensor? = nil, bias: Tensor? = nil, epsilon: Float = 1e-5) -> Tensor {
        x.requireF32("layerNorm")
        let n = x.shape.last ?? 1
        return normalizeRows(x, rowLength: n, weight: weight, bias: bias, centered: true, epsilon: epsilon)
    }

    /// RMS norm over the last dimension: x / sqrt(mean(x²) + ε) · weight.
    public static func rmsNorm(_ x: Tensor, weight: Tensor? = nil, epsilon: Float = 1e-6) -> Tensor {
        x.requireF32("rmsNorm")
        let n = x.shape.last ?? 1
        return normalizeRows(x, rowLength: n, weight: weight, bias: nil, centered: false, epsilon: epsilon)
    }

    /// Group norm for [N, C, *spatial]: statistics over each group of C/groups channels and all
    /// spatial positions, then per-channel weight and bias.
    public static func groupNorm(_ x: Tensor, groups: Int, weight: Tensor? = nil, bias: Tensor? = nil,
                                 epsilon: Float = 1e-5) -> Tensor {
        x.requireF32("groupNorm")
        precondition(x.rank >= 2, "groupNorm needs [N, C, ...], got \(x.shape)")
        let batch = x.shape[0], channels = x.shape[1]
        precondition(groups > 0 && channels % groups == 0, "groupNorm: \(channels) channels not divisible by \(groups) groups")
        let spatial = x.count / max(batch * channels, 1), perGroup = channels / groups
        // Normalise each group as one row (no affine), then apply the per-channel affine.
        let normalized = normalizeRows(x, rowLength: perGroup * spatial, weight: nil, bias: nil, centered: true, epsilon: epsilon)
        guard weight != nil || bias != nil else { return normalized }
        var result = normalized
        let w = weight?.contiguous(), b = bias?.contiguous()
        if let w { precondition(w.count == channels, "groupNorm weight has \(w.count) values for \(channels) channels") }
        if let b { precondition(b.count == channels, "groupNorm bias has \(b.count) values for \(channels) channels") }
        result.withUnsafeMutableFloats { out in
            for n in 0..<batch {
                for c in 0..<channels {
                    let scale = w?.withUnsafeFloats { $0[c] } ?? 1, shift = b?.withUnsafeFloats { $0[c] } ?? 0
                    let p = out.baseAddress! + (n * channels + c) * spatial
                    for i in 0..<spatial { p[i] = p[i] * scale + shift }
                }
            }
        }
        return result
    }

    /// Shared row normaliser: (x - mean) / sqrt(var + ε) (or x / rms) · weight + bias per row.
    private static func normalizeRows(_ x: Tensor, rowLength n: Int, weight: Tensor?, bias: Tensor?,
                                      centered: Bool, epsilon: Float) -> Tensor {
        if let weight { precondition(weight.count == n, "norm weight has \(weight.count) values, rows have \(n)") }
        if let bias { precondition(bias.count == n, "norm bias has \(bias.count) values, rows have \(n)") }
        let w = weight?.contiguous(), b = bias?.contiguous()
        return Tensor(shape: x.shape) { out in
            x.withUnsafeFloats { src in
                guard n > 0, src.count > 0 else { return }
                withOptionalFloats(w) { wp in
                    withOptionalFloats(b) { bp in
                        ck_norm_rows(src.baseAddress!, out.baseAddress!, src.count / n, n, wp, bp, centered ? 1 : 0, epsilon)
                    }
                }
            }
        }
    }

    /// The tensor's floats, or nil for no tensor (C kernels take NULL for "no weight").
    private static func withOptionalFloats<R>(_ t: Tensor?, _ body: (UnsafePointer<Float>?) -> R) -> R {
        guard let t else { return body(nil) }
        return t.withUnsafeFloats { body($0.baseAddress) }
    }
}

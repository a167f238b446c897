extension Kernels {
    /// 2D convolution through im2col + GEMM (cross-correlation, as in PyTorch).
    /// input [N, C, H, W], weight [O, C/groups, kh, kw], bias [O] → [N, O, Ho, Wo].
    public static func conv2d(_ input: Tensor, weight: Tensor, bias: Tensor? = nil,
                              stride: (Int, Int) = (1, 1), padding: (Int, Int) = (0, 0), groups: Int = 1) -> Tensor {
        input.requireF32("conv2d"); weight.requireConvolutionWeight("conv2d weight")
        precondition(input.rank == 4 && weight.rank == 4, "conv2d wants [N,C,H,W] and [O,C/g,kh,kw], got \(input.shape), \(weight.shape)")
        let c = input.shape[1], o = weight.shape[0]
        precondition(c % groups == 0 && o % groups == 0 && weight.shape[1] == c / groups,
                     "conv2d: \(c) channels, weight \(weight.shape), groups \(groups) do not fit")
        // A 2D conv is a 3D conv over one frame with a 1-frame kernel.
        let x3 = input.reshaped([input.shape[0], c, 1, input.shape[2], input.shape[3]])
        let w3 = weight.reshaped([o, weight.shape[1], 1, weight.shape[2], weight.shape[3]])
        let y = convolve3D(x3, weight: w3, bias: bias, stride: (1, stride.0, stride.1), padding: (padding.0, padding.1), groups: groups)
        return y.reshaped([y.shape[0], o, y.shape[3], y.shape[4]])
    }

    /// Causal 3D convolution for streaming video: input [N, C, T, H, W], weight [O, C, kt, kh, kw].
    /// Time is padded only at the front with kt-1 frames: `past` (the last kt-1 input frames of the
    /// previous chunk, [N, C, kt-1, H, W]) or zeros at the start of a stream, so chunked and whole
    /// runs agree. Keep `input.slice(dim: 2, T-(kt-1)..<T)` as the next call's `past`.
    public static func causalConv3d(_ input: Tensor, weight: Tensor, bias: Tensor? = nil, past: Tensor? = nil,
                                    stride: (t: Int, h: Int, w: Int) = (1, 1, 1), padding: (h: Int, w: Int) = (0, 0)) -> Tensor {
        input.requireF32("causalConv3d"); weight.requireConvolutionWeight("causalConv3d weight")
        precondition(input.rank == 5 && weight.rank == 5, "causalConv3d wants [N,C,T,H,W] and [O,C,kt,kh,kw]")
        let kt = weight.shape[2]
        var padded = input
        if kt > 1 {
            var front = Tensor(zeros: [input.shape[0], input.shape[1], kt - 1, input.shape[3], input.shape[4]])
            if let past {
                precondition(past.shape == front.shape, "causalConv3d: past is \(past.shape), expected \(front.shape)")
                front = past
            }
            padded = Tensor.concatenate([front, input], dim: 2)
        }
        return convolve3D(padded, weight: weight, bias: bias, stride: stride, padding: padding, groups: 1)
    }

    /// Valid-in-time, padded-in-space 3D convolution by im2col + one GEMM per (sample, group): sgemm
    /// for an f32 weight, oneDNN's bf16 GEMM for a bf16 one (the input rounded to bf16 once, f32 out).
    static func convolve3D(_ x: Tensor, weight: Tensor, bias: Tensor?, stride: (Int, Int, Int),
                           padding: (Int, Int), groups: Int) -> Tensor {
        let n = x.shape[0], c = x.shape[1], t = x.shape[2], h = x.shape[3], w = x.shape[4]
        let o = weight.shape[0], cg = c / groups, og = o / groups
        precondition(groups > 0 && c % groups == 0 && o % groups == 0 && weight.shape[1] == cg,
                     "convolution: input \(x.shape) and weight \(weight.shape) disagree for \(groups) group(s)")
        let kt = weight.shape[2], kh = weight.shape[3], kw = weight.shape[4]
        let geometry = Im2colGeometry(channels: cg, time: t, height: h, width: w, kernel: (kt, kh, kw),
                                      stride: stride, padding: (0, padding.0, padding.1))
        let (to, ho, wo) = (geometry.outTime, geometry.outHeight, geometry.outWidth)
        precondition(to > 0 && ho > 0 && wo > 0, "convolution output would be empty for input \(x.shape), kernel \(weight.shape)")
        let outSpatial = to * ho * wo, patch = cg * kt * kh * kw
        if let bias { precondition(bias.count == o, "convolution bias has \(bias.count) values for \(o) outputs") }
        let b = bias?.contiguous(), wt = weight.contiguous()
        // A 1×1×1 kernel with unit stride needs no im2col: the input already is the column matrix.
        let pointwise = kt == 1 && kh == 1 && kw == 1 && stride == (1, 1, 1) && padding == (0, 0)
        if wt.dtype == .bf16 {
            let xb = x.bf16Bits()
            // im2col writes every element: no zero-fill.
            var columns = [UInt16](unsafeUninitializedCapacity: pointwise ? 0 : patch * outSpatial) { $1 = $0.count }
            return Tensor(shape: [n, o, to, ho, wo]) { out in
                xb.withUnsafeBF16 { src in
                    wt.withUnsafeBF16 { wp in
                        columns.withUnsafeMutableBufferPointer { cols in
                            for sample in 0..<n {
                                for g in 0..<groups {
                                    let inBase = src + (sample * c + g * cg) * t * h * w
                                    let colPtr: UnsafePointer<UInt16>
                                    if pointwise { colPtr = inBase } else {
                                        geometry.fill(cols.baseAddress!, from: inBase, zero: 0)
                                        colPtr = UnsafePointer(cols.baseAddress!)
                                    }
                                    let dst = out.baseAddress! + (sample * o + g * og) * outSpatial
                                    // oneDNN 2.6 has only a reference kernel for a per-row bias: add it here.
                                    BF16Runtime.gemm(m: og, n: outSpatial, k: patch, a: wp + g * og * patch, b: colPtr,
                                                     bTransposed: false, bias: nil, c: dst)
                                    if let b { addRowBias(b, from: g * og, rows: og, width: outSpatial, to: dst) }
                                }
                            }
                        }
                    }
                }
            }
        }
        var columns = [Float](unsafeUninitializedCapacity: pointwise ? 0 : patch * outSpatial) { $1 = $0.count }
        return Tensor(shape: [n, o, to, ho, wo]) { out in
            x.withUnsafeFloats { src in
                wt.withUnsafeFloats { wp in
                    columns.withUnsafeMutableBufferPointer { cols in
                        for sample in 0..<n {
                            for g in 0..<groups {
                                let inBase = src.baseAddress! + (sample * c + g * cg) * t * h * w
                                let colPtr: UnsafePointer<Float>
                                if pointwise { colPtr = inBase } else {
                                    geometry.fill(cols.baseAddress!, from: inBase, zero: 0)
                                    colPtr = UnsafePointer(cols.baseAddress!)
                                }
                                let dst = out.baseAddress! + (sample * o + g * og) * outSpatial
                                BLAS.sgemm(m: og, n: outSpatial, k: patch, a: wp.baseAddress! + g * og * patch, lda: patch,
                                           b: colPtr, ldb: outSpatial, beta: 0, c: dst, ldc: outSpatial)
                                if let b { addRowBias(b, from: g * og, rows: og, width: outSpatial, to: dst) }
                            }
                        }
                    }
                }
            }
        }
    }
}

extension Kernels {
    /// dst row r += bias[first + r] for `rows` rows of `width` values.
    static func addRowBias(_ bias: Tensor, from first: Int, rows: Int, width: Int, to dst: UnsafeMutablePointer<Float>) {
        bias.withUnsafeFloats { bp in
            for r in 0..<rows {
                let v = bp[first + r], row = dst + r * width
                for i in 0..<width { row[i] += v }
            }
        }
    }
}

extension Tensor {
    /// Convolution weights are f32, or bf16 for the bf16 path (`Precision`).
    func requireConvolutionWeight(_ what: String) {
        precondition(dtype == .f32 || dtype == .bf16, "\(what) must be f32 or bf16, got \(dtype)")
    }
}

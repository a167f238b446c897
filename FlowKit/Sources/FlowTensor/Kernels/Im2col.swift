/// Unfolds a [C, T, H, W] volume into the column matrix [C·kt·kh·kw, To·Ho·Wo] that turns a
/// convolution into one GEMM. Out-of-range (padding) positions read as zero. Generic over the
/// element (f32 for sgemm, bf16 bits for the bf16 GEMM): the unfold only moves values.
struct Im2colGeometry {
    let channels, time, height, width: Int
    let kernel: (t: Int, h: Int, w: Int)
    let stride: (t: Int, h: Int, w: Int)
    let padding: (t: Int, h: Int, w: Int)

    init(channels: Int, time: Int, height: Int, width: Int, kernel: (Int, Int, Int),
         stride: (Int, Int, Int), padding: (Int, Int, Int)) {
        self.channels = channels; self.time = time; self.height = height; self.width = width
        self.kernel = kernel; self.stride = stride; self.padding = padding
        precondition(stride.0 > 0 && stride.1 > 0 && stride.2 > 0, "convolution stride must be positive")
    }

    var outTime: Int { (time + 2 * padding.t - kernel.t) / stride.t + 1 }
    var outHeight: Int { (height + 2 * padding.h - kernel.h) / stride.h + 1 }
    var outWidth: Int { (width + 2 * padding.w - kernel.w) / stride.w + 1 }

    func fill<Element>(_ cols: UnsafeMutablePointer<Element>, from src: UnsafePointer<Element>, zero: Element) {
        let to = outTime, ho = outHeight, wo = outWidth
        let outSpatial = to * ho * wo
        var row = 0
        for c in 0..<channels {
            for dt in 0..<kernel.t {
                for dh in 0..<kernel.h {
                    for dw in 0..<kernel.w {
                        let dst = cols + row * outSpatial
                        // With unit stride in width, the valid outputs of a row are one contiguous run.
                        let first = stride.w == 1 ? min(max(padding.w - dw, 0), wo) : 0
                        let end = stride.w == 1 ? max(min(width + padding.w - dw, wo), first) : wo
                        var i = 0
                        for ot in 0..<to {
                            let it = ot * stride.t - padding.t + dt
                            let timeValid = it >= 0 && it < time
                            for oh in 0..<ho {
                                let ih = oh * stride.h - padding.h + dh
                                if !timeValid || ih < 0 || ih >= height {
                                    (dst + i).update(repeating: zero, count: wo)
                                } else {
                                    let plane = src + ((c * time + it) * height + ih) * width
                                    if stride.w == 1 {
                                        (dst + i).update(repeating: zero, count: first)
                                        (dst + i + first).update(from: plane + (first - padding.w + dw), count: end - first)
                                        (dst + i + end).update(repeating: zero, count: wo - end)
                                    } else {
                                        for ow in 0..<wo {
                                            let iw = ow * stride.w - padding.w + dw
                                            dst[i + ow] = (iw >= 0 && iw < width) ? plane[iw] : zero
                                        }
                                    }
                                }
                                i += wo
                            }
                        }
                        row += 1
                    }
                }
            }
        }
    }
}

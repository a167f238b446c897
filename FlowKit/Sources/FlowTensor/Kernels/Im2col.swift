/// Unfolds a [C, T, H, W] volume into the column matrix [C·kt·kh·kw, To·Ho·Wo] that turns a
/// convolution into one GEMM. Out-of-range (padding) positions read as zero.
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

    func fill(_ cols: UnsafeMutablePointer<Float>, from src: UnsafePointer<Float>) {
        let to = outTime, ho = outHeight, wo = outWidth
        let outSpatial = to * ho * wo
        var row = 0
        for c in 0..<channels {
            for dt in 0..<kernel.t {
                for dh in 0..<kernel.h {
                    for dw in 0..<kernel.w {
                        let dst = cols + row * outSpatial
                        var i = 0
                        for ot in 0..<to {
                            let it = ot * stride.t - padding.t + dt
                            let timeValid = it >= 0 && it < time
                            for oh in 0..<ho {
                                let ih = oh * stride.h - padding.h + dh
                                let plane = src + ((c * time + it) * height + ih) * width
                                if !timeValid || ih < 0 || ih >= height {
                                    for j in 0..<wo { dst[i + j] = 0 }
                                } else {
                                    for ow in 0..<wo {
                                        let iw = ow * stride.w - padding.w + dw
                                        dst[i + ow] = (iw >= 0 && iw < width) ? plane[iw] : 0
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

import FlowKit

/// The VAE decoder's convolutions (one 3-latent-frame block: 12 video frames' worth), each timed through the
/// im2col + GEMM path (`Kernels.conv2d` / `causalConv3d`, channels-first) and through oneDNN's convolution
/// primitive on channels-last activations (`ChannelsLastConvolution`), f32 and bf16, side by side.
enum ConvBench {
    struct Shape {
        let name: String
        let frames, size, inC, outC: Int
        let causal: Bool
    }

    static let decoderShapes = [
        Shape(name: "mid causal 3x3x3", frames: 3, size: 8, inC: 128, outC: 128, causal: true),
        Shape(name: "res1 3x3", frames: 3, size: 16, inC: 128, outC: 128, causal: false),
        Shape(name: "up1 3x3", frames: 3, size: 32, inC: 128, outC: 64, causal: false),
        Shape(name: "res2 3x3", frames: 3, size: 32, inC: 64, outC: 64, causal: false),
        Shape(name: "up2 3x3", frames: 3, size: 64, inC: 64, outC: 32, causal: false),
        Shape(name: "res3 3x3", frames: 3, size: 64, inC: 32, outC: 32, causal: false),
        Shape(name: "conv_out 3x3", frames: 3, size: 64, inC: 32, outC: 12, causal: false),
    ]

    static func run(repeats: Int) {
        print("VAE decoder convolutions, one block (3 latent frames), microseconds per call (median):")
        let precisions = BF16Runtime.isAvailable ? [Precision.f32, .bf16] : [.f32]
        for s in decoderShapes {
            let kt = s.causal ? 3 : 1
            let weightShape = s.causal ? [s.outC, s.inC, 3, 3, 3] : [s.outC, s.inC, 3, 3]
            let weight = Tensor(shape: weightShape) { fillRandom($0, seed: 1) }
            let bias = Tensor(shape: [s.outC]) { fillRandom($0, seed: 2) }
            // Channels-first input for im2col; channels-last (with the causal past in front) for oneDNN.
            let xFirst = s.causal ? Tensor(shape: [1, s.inC, s.frames, s.size, s.size]) { fillRandom($0, seed: 3) }
                                  : Tensor(shape: [s.frames, s.inC, s.size, s.size]) { fillRandom($0, seed: 3) }
            let past = Tensor(shape: [1, s.inC, kt - 1, s.size, s.size]) { fillRandom($0, seed: 4) }
            let xLast = s.causal ? Tensor.concatenate([past, xFirst], dim: 2).channelsLast() : xFirst.channelsLast()
            let flops = 2.0 * Double(s.frames * s.size * s.size * s.outC * s.inC * 9 * kt)
            var line = "  \(s.name.padding(17)) [\(s.frames), \(s.size)x\(s.size), \(s.inC) -> \(s.outC)]".padding(58)
            for precision in precisions {
                let w = precision == .bf16 ? weight.bf16Bits() : weight
                let im2col = secondsPerCall(repeats: repeats) {
                    if s.causal { _ = Kernels.causalConv3d(xFirst, weight: w, bias: bias, past: past, padding: (1, 1)) }
                    else { _ = Kernels.conv2d(xFirst, weight: w, bias: bias, padding: (1, 1)) }
                }
                let conv = ChannelsLastConvolution(weight: weight, bias: bias, padding: (1, 1), precision: precision)
                let dnnl = secondsPerCall(repeats: repeats) { _ = conv(xLast) }
                line += " \(precision): im2col \(format(im2col * 1e6)) us \(format(flops / im2col / 1e9)) GFLOPS, "
                    + "oneDNN \(format(dnnl * 1e6)) us \(format(flops / dnnl / 1e9)) GFLOPS (\(conv.implementation(for: xLast.shape))), "
                    + "\(format(im2col / dnnl))x;"
            }
            print(line)
        }
        print("")
    }
}

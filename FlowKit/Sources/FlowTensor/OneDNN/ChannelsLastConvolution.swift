internal import CBF16

/// A convolution with constant weights run by oneDNN's convolution primitive on channels-last activations:
/// [N, H, W, C] for a 2D kernel, [N, T, H, W, C] for a 3D one (no padding in time: a causal convolution feeds
/// its cached frames in front). oneDNN's direct kernels (`brgconv`, `jit`) read the input in place, where im2col
/// + GEMM first copies it 9 or 27 times; activations stay channels-last between layers so nothing is transposed.
///
/// At `.bf16` (where the CPU has native bf16) the weight is held in bf16 and the input is rounded to bf16 at the
/// call, products summed in f32, output f32, as in the bf16 GEMMs. Weights are reordered once per layout the
/// primitive asks for, then reused; primitives are cached per thread by shape, so calls take no locks.
public final class ChannelsLastConvolution: @unchecked Sendable {
    public let outChannels: Int
    public let inChannels: Int
    /// (t, h, w); t is 1 for a 2D kernel.
    public let kernel: (t: Int, h: Int, w: Int)
    public let stride: (t: Int, h: Int, w: Int)
    /// Zero padding on both sides in height and width (never in time).
    public let padding: (h: Int, w: Int)
    /// What runs (`Precision.effective` of what was asked).
    public let precision: Precision
    let spatialDims: Int
    let handle: OpaquePointer

    /// Whether oneDNN made its CPU engine (f32 convolutions then run on every CPU).
    public static var isAvailable: Bool { cconv_available() != 0 }

    /// weight [O, I, kh, kw] or [O, I, kt, kh, kw] (f32 or bf16), bias [O].
    public init(weight: Tensor, bias: Tensor?, stride: (t: Int, h: Int, w: Int) = (1, 1, 1), padding: (h: Int, w: Int),
                precision: Precision = .f32) {
        precondition(weight.rank == 4 || weight.rank == 5, "a convolution weight is [O, I, kh, kw] or [O, I, kt, kh, kw], got \(weight.shape)")
        precondition(Self.isAvailable, "oneDNN could not create a CPU engine for its convolutions")
        spatialDims = weight.rank - 2
        let s = weight.shape
        outChannels = s[0]
        inChannels = s[1]
        kernel = spatialDims == 2 ? (1, s[2], s[3]) : (s[2], s[3], s[4])
        precondition(spatialDims == 3 || stride.t == 1, "a 2D convolution has no stride in time")
        self.stride = stride
        self.padding = padding
        self.precision = precision.effective
        let w = weight.dtype == .f32 ? weight.contiguous() : weight.converted(to: .f32)
        if let bias { precondition(bias.count == outChannels, "convolution bias has \(bias.count) values for \(outChannels) outputs") }
        let b = bias?.contiguous()
        let k = [kernel.t, kernel.h, kernel.w], dims = Int32(spatialDims), (o, i) = (outChannels, inChannels)
        let bf16: Int32 = self.precision == .bf16 ? 1 : 0
        let made = w.withUnsafeFloats { wp in
            withOptionalFloats(b) { bp in
                cconv_weights_create(dims, o, i, k, wp.baseAddress!, bp, bf16)
            }
        }
        guard let made else { fatalError("out of memory copying a \(weight.shape) convolution weight") }
        handle = made
    }

    deinit { cconv_weights_destroy(handle) }

    /// The output shape for an input shape.
    public func outputShape(for input: [Int]) -> [Int] {
        let (n, t, h, w) = dims(of: input)
        let to = (t - kernel.t) / stride.t + 1
        let ho = (h + 2 * padding.h - kernel.h) / stride.h + 1, wo = (w + 2 * padding.w - kernel.w) / stride.w + 1
        return spatialDims == 2 ? [n, ho, wo, outChannels] : [n, to, ho, wo, outChannels]
    }

    /// y = conv(x) + bias (+ `residual`, which has y's shape: a residual block's skip added by the primitive itself).
    public func callAsFunction(_ x: Tensor, adding residual: Tensor? = nil) -> Tensor {
        let shape = outputShape(for: x.shape)
        precondition(shape.allSatisfy { $0 > 0 }, "convolution output would be empty for input \(x.shape), kernel \(kernel)")
        let (n, t, h, w) = dims(of: x.shape)
        let input = precision == .bf16 ? x.bf16Bits() : x.contiguous()
        let size = [t, h, w], strides = [stride.t, stride.h, stride.w], pads = [0, padding.h, padding.w]
        if let residual { precondition(residual.shape == shape, "convolution residual is \(residual.shape), output \(shape)") }
        return Tensor(shape: shape) { out in
            if let residual { residual.withUnsafeFloats { out.baseAddress!.update(from: $0.baseAddress!, count: out.count) } }
            let status = input.withUnsafeBytes { src in
                cconv_forward(self.handle, n, size, strides, pads, src.baseAddress!, residual == nil ? 0 : 1, out.baseAddress!)
            }
            precondition(status == 0, "oneDNN convolution \(x.shape) -> \(shape) (\(self.precision)) failed with status \(status)")
        }
    }

    /// The implementation oneDNN picks for an input shape (e.g. "brg:avx512_core_amx"), for logs and benchmarks.
    public func implementation(for input: [Int]) -> String {
        let (n, t, h, w) = dims(of: input)
        var name = [CChar](repeating: 0, count: 96)
        let status = cconv_implementation(handle, n, [t, h, w], [stride.t, stride.h, stride.w], [0, padding.h, padding.w], &name, 96)
        return status == 0 ? String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : "unavailable (status \(status))"
    }

    private func dims(of input: [Int]) -> (n: Int, t: Int, h: Int, w: Int) {
        precondition(input.count == spatialDims + 2 && input.last == inChannels,
                     "channels-last convolution wants [N, \(spatialDims == 3 ? "T, " : "")H, W, \(inChannels)], got \(input)")
        return spatialDims == 2 ? (input[0], 1, input[1], input[2]) : (input[0], input[1], input[2], input[3])
    }
}

/// The tensor's floats, or nil for no tensor.
private func withOptionalFloats<R>(_ t: Tensor?, _ body: (UnsafePointer<Float>?) -> R) -> R {
    guard let t else { return body(nil) }
    return t.withUnsafeFloats { body($0.baseAddress) }
}

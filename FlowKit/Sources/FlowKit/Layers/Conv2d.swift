/// `conv2d(x, W, pad)` with its weights.
public struct Conv2d: Sendable {
    public let weight: Tensor
    public let bias: Tensor
    public let stride: Int

    /// `precision: .bf16` keeps the weight in bf16 (oneDNN's GEMM) where the CPU has native bf16.
    public init(_ w: WeightFile, _ name: String, out: Int, in inputs: Int, stride: Int = 1, precision: Precision = .f32) throws {
        weight = try w.tensor(name + ".weight", [out, inputs, 3, 3]).converted(to: precision.weightDType)
        bias = try w.tensor(name + ".bias", [out])
        self.stride = stride
    }

    /// x [N, C, H, W] -> [N, O, H', W'], zero padding 1.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        Kernels.conv2d(x, weight: weight, bias: bias, stride: (stride, stride), padding: (1, 1))
    }
}

internal import CKernels

/// How GELU is computed.
public enum GELUApproximation: Sendable {
    /// 0.5·x·(1 + erf(x/√2)), the exact form.
    case erf
    /// 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))).
    case tanh
}

extension Kernels {
    /// GELU, elementwise.
    public static func gelu(_ x: Tensor, approximation: GELUApproximation = .tanh) -> Tensor {
        x.requireF32("gelu")
        switch approximation {
        case .tanh: return vectorMap(x, ck_gelu_tanh)
        case .erf: return vectorMap(x, ck_gelu_erf)
        }
    }

    /// SiLU (swish): x · sigmoid(x), elementwise.
    public static func silu(_ x: Tensor) -> Tensor {
        x.requireF32("silu")
        return vectorMap(x, ck_silu)
    }

    /// Sigmoid, elementwise.
    public static func sigmoid(_ x: Tensor) -> Tensor {
        x.requireF32("sigmoid")
        return vectorMap(x, ck_sigmoid)
    }

    /// Runs a CKernels map (x → y, n elements) over a whole tensor.
    private static func vectorMap(_ x: Tensor,
                                  _ kernel: (UnsafePointer<Float>?, UnsafeMutablePointer<Float>?, Int) -> Void) -> Tensor {
        Tensor(shape: x.shape) { out in
            x.withUnsafeFloats { src in
                guard src.count > 0 else { return }
                kernel(src.baseAddress!, out.baseAddress!, src.count)
            }
        }
    }
}

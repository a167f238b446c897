internal import CKernels

extension Kernels {
    /// Softmax over the last dimension (max-subtracted, so large logits do not overflow).
    public static func softmax(_ x: Tensor) -> Tensor {
        x.requireF32("softmax")
        let n = x.shape.last ?? 1
        return Tensor(shape: x.shape) { out in
            x.withUnsafeFloats { src in
                guard n > 0, src.count > 0 else { return }
                ck_softmax_rows(src.baseAddress!, out.baseAddress!, src.count / n, n)
            }
        }
    }
}

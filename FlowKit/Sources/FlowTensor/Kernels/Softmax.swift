extension Kernels {
    /// Softmax over the last dimension (max-subtracted, so large logits do not overflow).
    public static func softmax(_ x: Tensor) -> Tensor {
        x.requireF32("softmax")
        let n = x.shape.last ?? 1
        return Tensor(shape: x.shape) { out in
            x.withUnsafeFloats { src in
                guard n > 0 else { return }
                out.baseAddress!.update(from: src.baseAddress!, count: src.count)
                for row in stride(from: 0, to: src.count, by: n) {
                    let p = out.baseAddress! + row
                    let m = SIMDMath.max(p, n)
                    let total = SIMDMath.expShiftedInPlace(p, n, shift: m)
                    SIMDMath.scaleInPlace(p, n, by: 1 / total)
                }
            }
        }
    }
}

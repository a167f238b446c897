internal import CBF16

/// The arithmetic a model's heavy layers (linear layers, convolutions) use.
///
/// `bf16` keeps weights in bfloat16 and runs the GEMMs through oneDNN on the CPU's native bf16 units
/// (AMX tiles or AVX512-BF16 dot products) with f32 accumulation and f32 activations between layers;
/// everything else (norms, attention's softmax, activations) stays f32. A CPU without native bf16
/// gets `f32`: see `effective`.
public enum Precision: String, Sendable, CaseIterable, CustomStringConvertible {
    case f32, bf16

    public var description: String { rawValue }

    /// What runs on this machine when `self` is asked for: bf16 only where the CPU has it.
    public var effective: Precision { self == .bf16 && BF16Runtime.isAvailable ? .bf16 : .f32 }

    /// The storage dtype of weights at this precision (after `effective`).
    public var weightDType: DType { effective == .bf16 ? .bf16 : .f32 }
}

/// oneDNN's bf16 GEMM, as flowrun uses it.
public enum BF16Runtime {
    /// Whether `precision: bf16` runs as bf16 here (native bf16 in the CPU and oneDNN ready).
    public static var isAvailable: Bool { cbf16_available() != 0 }

    /// The oneDNN version and kernel family for a typical layer, or why bf16 is unavailable.
    public static var kernelDescription: String { String(cString: cbf16_kernel_name()) }

    /// C[m×n] = A[m×k] · B (+ bias) (+ C): A and B bf16 bits, C f32, row-major. `bTransposed`: B is
    /// stored [n×k]. `biasPerRow`: bias has m values (else n).
    static func gemm(m: Int, n: Int, k: Int, a: UnsafePointer<UInt16>, b: UnsafePointer<UInt16>, bTransposed: Bool,
                     bias: UnsafePointer<Float>?, biasPerRow: Bool = false, accumulate: Bool = false,
                     c: UnsafeMutablePointer<Float>) {
        let status = cbf16_gemm(m, n, k, a, b, bTransposed ? 1 : 0, bias, biasPerRow ? 1 : 0, accumulate ? 1 : 0, c)
        precondition(status == 0, "oneDNN bf16 GEMM \(m)x\(n)x\(k) failed with status \(status) (\(kernelDescription))")
    }

    /// f32 -> bf16 bits, round to nearest even.
    static func convert(_ x: UnsafePointer<Float>, to y: UnsafeMutablePointer<UInt16>, count: Int) {
        cbf16_from_f32(x, y, count)
    }
}

extension Tensor {
    /// A contiguous bf16 copy of an f32 tensor (or this bf16 tensor), converted with the CPU's bf16 instructions where it has
    /// them (the same rounding as `converted(to: .bf16)`).
    public func bf16Bits() -> Tensor {
        if dtype == .bf16 { return contiguous() }
        requireF32("bf16 conversion")
        let n = count
        // Every element is written, so the storage starts uninitialised (no zero-fill pass).
        let storage = TensorStorage(uninitializedByteCount: n * 2)
        withUnsafeFloats { src in
            BF16Runtime.convert(src.baseAddress!, to: storage.bytes.assumingMemoryBound(to: UInt16.self), count: n)
        }
        return Tensor(dtype: .bf16, shape: shape, strides: Tensor.contiguousStrides(for: shape), offset: 0, storage: storage)
    }

    /// The elements of a contiguous bf16 tensor as bits.
    func withUnsafeBF16<R>(_ body: (UnsafePointer<UInt16>) throws -> R) rethrows -> R {
        precondition(dtype == .bf16, "withUnsafeBF16 needs bf16, tensor is \(dtype)")
        return try withUnsafeBytes { try body($0.baseAddress!.assumingMemoryBound(to: UInt16.self)) }
    }
}

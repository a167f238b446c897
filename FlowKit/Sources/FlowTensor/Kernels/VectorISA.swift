internal import CKernels

/// The vector instruction sets the elementwise kernels (exp, softmax, activations, row norms and
/// attention's online softmax, in the CKernels C target) are compiled for. One binary carries every
/// variant and uses the widest the CPU runs, so builds stay portable to CPUs without AVX-512 while
/// this machine gets 512-bit vectors (Swift's SIMD types would give SSE2 on baseline x86-64).
public enum VectorISA: Int, CaseIterable, Sendable, CustomStringConvertible {
    /// The compiler's baseline for the target (SSE2 on x86-64).
    case baseline
    /// AVX2 + FMA.
    case avx2
    /// AVX-512F.
    case avx512

    public var description: String {
        switch self {
        case .baseline: return "baseline"
        case .avx2: return "avx2"
        case .avx512: return "avx512"
        }
    }

    /// Whether this binary has the variant and this CPU (and OS) can run it.
    public var isSupported: Bool { ck_variant(cValue) != nil }

    /// The widest variant this CPU runs: what the kernels use unless `select` changed it.
    public static var best: VectorISA { VectorISA(ck_best_isa()) }

    /// The variant the kernels use now.
    public static var active: VectorISA { VectorISA(ck_active().pointee.isa) }

    /// Makes every kernel use `isa` from now on, process-wide; for benchmarks and tests that compare
    /// variants. Returns false, changing nothing, when the CPU cannot run it.
    @discardableResult
    public static func select(_ isa: VectorISA) -> Bool { ck_select(isa.cValue) != 0 }

    var cValue: ck_isa { ck_isa(rawValue: UInt32(rawValue)) }

    init(_ isa: ck_isa) { self = VectorISA(rawValue: Int(isa.rawValue)) ?? .baseline }
}

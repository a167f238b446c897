import FlowKit

/// The compute line `--stats` prints: BLAS kernel and threads, and the vector ISA of our own kernels.
enum BLASInfo {
    static var line: String { "blas: " + BLASRuntime.description + "; vector kernels: \(VectorISA.active)" }
}

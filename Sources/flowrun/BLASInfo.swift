import FlowKit

/// The BLAS line `--stats` and the benchmarks print.
enum BLASInfo {
    static var line: String { "blas: (not yet reported)" }
}

import FlowKit

/// The BLAS line `--stats` prints.
enum BLASInfo {
    static var line: String { "blas: " + BLASRuntime.description }
}

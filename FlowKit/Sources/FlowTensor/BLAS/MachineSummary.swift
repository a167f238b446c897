import Foundation

/// What a reader needs to compare benchmark figures across machines of one kind, which differ: cores, the
/// OpenBLAS kernel (OPENBLAS_CORETYPE or detection), the CPU's vector and matrix units, the bf16 kernel.
public enum MachineSummary {
    /// CPU flags that decide which kernels run.
    public static let decisiveFlags = ["avx2", "fma", "avx512f", "avx512_bf16", "amx_tile", "amx_bf16"]

    public static var text: String {
        let cpu = CPUFeatures.current()
        let flags = decisiveFlags.map { "\($0) \(cpu.flags.contains($0) ? "yes" : "no")" }.joined(separator: ", ")
        let coretype = ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"].map { "OPENBLAS_CORETYPE=\($0)" } ?? "OPENBLAS_CORETYPE unset"
        return """
        machine: \(ProcessInfo.processInfo.activeProcessorCount) cores (\(cpu.logicalCores) online), \(cpu.modelName)
        CPU flags: \(flags)
        BLAS: \(BLASRuntime.description) (\(coretype) in the environment)
        bf16: \(BF16Runtime.kernelDescription)
        load average at start: \(loadAverage)
        """
    }

    /// Other jobs on the machine make absolute numbers noisy; the reader should know how busy it was.
    public static var loadAverage: String {
        guard let text = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) else { return "unknown" }
        return text.split(separator: " ").prefix(3).joined(separator: " ")
    }
}

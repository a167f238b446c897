import Foundation
import FlowKit

/// What a reader needs to compare numbers across machines: cores, the BLAS kernel, the CPU's vector units.
enum MachineFacts {
    static var summary: String {
        let cpu = CPUFeatures.current()
        let flags = ["avx2", "fma", "avx512f", "avx512_bf16", "amx_bf16"]
            .map { "\($0) \(cpu.flags.contains($0) ? "yes" : "no")" }.joined(separator: ", ")
        return """
        machine: \(ProcessInfo.processInfo.activeProcessorCount) cores (\(cpu.logicalCores) online), \(cpu.modelName)
        BLAS: \(BLASRuntime.description)
        CPU flags: \(flags)
        load average at start: \(loadAverage)
        """
    }

    /// Other jobs on the machine make the absolute numbers noisy; the reader should know how busy it was.
    static var loadAverage: String {
        guard let text = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) else { return "unknown" }
        return text.split(separator: " ").prefix(3).joined(separator: " ")
    }
}

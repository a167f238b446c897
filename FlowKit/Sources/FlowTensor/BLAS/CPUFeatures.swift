#if canImport(Glibc)
import Glibc
#endif

/// What the CPU can do, read from /proc/cpuinfo (Linux). Empty elsewhere.
public struct CPUFeatures: Sendable {
    /// The `flags` line of the first processor.
    public let flags: Set<String>
    /// The `model name` line of the first processor.
    public let modelName: String
    /// Online logical processors.
    public let logicalCores: Int

    /// Reads the running machine.
    public static func current() -> CPUFeatures {
        let text = readSmallFile("/proc/cpuinfo") ?? ""
        var flags = Set<String>(), model = "unknown"
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2 else { continue }
            let key = parts[0].trimmingCharacters(in: " \t"), value = parts[1].trimmingCharacters(in: " \t")
            if key == "flags" && flags.isEmpty { flags = Set(value.split(separator: " ").map(String.init)) }
            if key == "model name" && model == "unknown" { model = value }
        }
        return CPUFeatures(flags: flags, modelName: model, logicalCores: Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    }

    /// The OpenBLAS core type whose sgemm kernel suits this CPU best, or nil if unknown
    /// (then we leave OpenBLAS's own choice alone).
    public var bestOpenBLASCore: String? {
        if ["avx512f", "avx512bw", "avx512vl", "avx512dq"].allSatisfy(flags.contains) { return "SkylakeX" }
        if ["avx2", "fma"].allSatisfy(flags.contains) { return "Haswell" }
        return nil
    }
}

extension Substring {
    func trimmingCharacters(in set: String) -> String {
        var s = self
        while let f = s.first, set.contains(f) { s.removeFirst() }
        while let l = s.last, set.contains(l) { s.removeLast() }
        return String(s)
    }
}

/// Reads a small text file with plain read(2) (procfs reports size 0, so no stat-based sizing).
func readSmallFile(_ path: String) -> String? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var data = [UInt8]()
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n <= 0 { break }
        data.append(contentsOf: chunk[0..<n])
    }
    return String(decoding: data, as: UTF8.self)
}

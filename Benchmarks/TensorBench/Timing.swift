#if canImport(Glibc)
import Glibc
#endif

/// Monotonic seconds.
func now() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
}

func median(_ xs: [Double]) -> Double {
    guard !xs.isEmpty else { return .nan }
    let s = xs.sorted()
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}

/// Median seconds per call of `body`, each sample long enough (>= 20 ms) to time reliably.
func secondsPerCall(repeats: Int, _ body: () -> Void) -> Double {
    body()  // warm up: page in buffers, let OpenBLAS start its threads
    var calls = 1
    while true {
        let start = now()
        for _ in 0..<calls { body() }
        if now() - start >= 0.02 || calls >= 1 << 20 { break }
        calls *= 2
    }
    var samples = [Double]()
    for _ in 0..<repeats {
        let start = now()
        for _ in 0..<calls { body() }
        samples.append((now() - start) / Double(calls))
    }
    return median(samples)
}

func format(_ x: Double) -> String {
    if x.isNaN { return "n/a" }
    let rounded = (x * 10).rounded() / 10
    return x >= 100 ? String(Int(x.rounded())) : String(rounded)
}

extension String {
    func padding(_ width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
}

/// Command-line options of the benchmark.
struct BenchOptions {
    var repeats = 5
    var rounds = 3
    var threads: Int?
    var sgemmChildSize: Int?
    var only: String?
    /// Forces the elementwise kernels' vector variant (baseline, avx2, avx512) for the whole run.
    var vectorISA: String?

    /// Whether the section `name` should run.
    func runs(_ name: String) -> Bool { only == nil || only == name }

    init(_ args: [String]) {
        var i = 1
        while i < args.count {
            let value = i + 1 < args.count ? args[i + 1] : ""
            switch args[i] {
            case "--repeats": repeats = max(1, Int(value) ?? repeats); i += 1
            case "--rounds": rounds = max(1, Int(value) ?? rounds); i += 1
            case "--threads": threads = Int(value); i += 1
            case "--only": only = value; i += 1
            case "--vector-isa": vectorISA = value; i += 1
            case "--sgemm-child": sgemmChildSize = Int(value); i += 1
            default: break
            }
            i += 1
        }
    }
}

/// The first three fields of /proc/loadavg.
func readLoadAverage() -> String {
    guard let f = fopen("/proc/loadavg", "r") else { return "unknown" }
    defer { fclose(f) }
    var buffer = [CChar](repeating: 0, count: 128)
    guard fgets(&buffer, 128, f) != nil else { return "unknown" }
    let text = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    return text.split(separator: " ").prefix(3).joined(separator: " ")
}

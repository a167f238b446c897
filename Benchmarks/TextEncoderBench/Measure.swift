#if canImport(Glibc)
import Glibc
#endif

/// Timing: each run repeats the work enough times to last `minSeconds` (sized by one warm-up call).
struct Measure {
    let repetitions: Int

    static func now() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
    }

    init(minSeconds: Double, warmUp body: () throws -> Void) rethrows {
        try body()
        let start = Measure.now()
        try body()
        repetitions = max(1, Int(minSeconds / max(Measure.now() - start, 1e-6)))
    }

    /// Sentences per second over one run.
    func run(batch: Int, _ body: () throws -> Void) rethrows -> Double {
        let start = Measure.now()
        for _ in 0..<repetitions { try body() }
        return Double(repetitions * batch) / (Measure.now() - start)
    }

    static func median(_ xs: [Double]) -> Double {
        guard !xs.isEmpty else { return 0 }
        let s = xs.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }

    /// The 1-minute load average, so a reader can tell a quiet machine from a busy one.
    static func loadAverage() -> String {
        var loads = [Double](repeating: 0, count: 3)
        return getloadavg(&loads, 3) == 3 ? String(format: "%.2f %.2f %.2f", loads[0], loads[1], loads[2]) : "unknown"
    }
}

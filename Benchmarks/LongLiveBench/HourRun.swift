import Foundation

/// `--hour [MINUTES]`: MINUTES (default 60) of Graphs/longlive.yaml's video, 57,600 frames for an hour, pipelined:
/// RSS at each minute of video, its growth after minute 1 (target < 2%), and block latency (time between block
/// arrivals at the end of the pipeline) p50 / p99 per 10 minutes of video (target: p99 flat).
enum HourRun {
    static func run(minutes: Int, precision: String) throws {
        let frames = minutes * 60 * 16
        let m = try measure(frames: frames, sequential: false)
        report("\(minutes) min pipelined \(precision)", m)
        let arrivals = FrameClock.arrivals
        var delivered = 0
        var windows: [[Double]] = []
        for (previous, arrival) in zip(arrivals, arrivals.dropFirst()) {
            delivered += previous.frames
            let window = delivered / (10 * 60 * 16)
            while windows.count <= window { windows.append([]) }
            windows[window].append(arrival.seconds - previous.seconds)
        }
        for (i, gaps) in windows.enumerated() where !gaps.isEmpty {
            let sorted = gaps.sorted()
            let p50 = sorted[sorted.count / 2], p99 = sorted[min(sorted.count - 1, Int(Double(sorted.count) * 0.99))]
            print(String(format: "video minutes %2d-%2d: %4d blocks, block latency p50 %.1f ms, p99 %.1f ms",
                         i * 10, min((i + 1) * 10, minutes), gaps.count, p50 * 1000, p99 * 1000))
        }
        printAllocator(FrameClock.minutes)
        if let first = m.rssMinute1 {
            let growth = 100 * (Double(m.rssEnd) / Double(first) - 1)
            print(String(format: "RSS after minute 1: %.1f MiB, at the end %.1f MiB: %+.2f%% (target < 2%%)",
                         Double(first) / 1_048_576, Double(m.rssEnd) / 1_048_576, growth))
        }
    }

    /// Per 10 minutes of video, the last minute's RSS beside malloc's view of the heap: what the program holds
    /// (in use) and what the arena keeps free.
    static func printAllocator(_ minutes: [FrameClock.Minute]) {
        func mib(_ b: Int) -> String { String(format: "%.1f", Double(b) / 1_048_576) }
        for (i, m) in minutes.enumerated() where i == 0 || (i + 1) % 10 == 0 || i == minutes.count - 1 {
            var line = "minute \(i + 1): RSS \(mib(m.rssBytes)) MiB"
            if let h = m.heap {
                line += ", malloc: in use \(mib(h.inUseBytes)) MiB (mmapped chunks \(mib(h.mmapBytes))), free in arenas "
                    + "\(mib(h.freeBytes)) MiB of \(mib(h.systemBytes)), \(h.arenas) arenas"
            }
            print(line)
        }
    }
}

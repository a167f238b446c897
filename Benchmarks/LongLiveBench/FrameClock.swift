import Foundation
import FlowKit

/// A sink that notes when each frame batch arrives and the process's resident memory then.
final class FrameClock: Node {
    static let contract = NodeContract(
        type: "bench.frame_clock",
        summary: "Benchmark sink: arrival time and RSS per frame batch",
        inputs: [PortSpec("frames", FrameBatch.self)])

    struct Arrival: Sendable {
        let seconds: Double
        let frames: Int
        let rssBytes: Int
    }

    /// The allocator at each minute of video: RSS and malloc's totals.
    struct Minute: Sendable {
        let rssBytes: Int
        let heap: HeapStats?
    }

    /// Arrivals of the most recent run (the benchmark runs one graph at a time).
    nonisolated(unsafe) static var arrivals: [Arrival] = []
    nonisolated(unsafe) static var minutes: [Minute] = []
    nonisolated(unsafe) static var origin = DispatchTime.now().uptimeNanoseconds
    nonisolated(unsafe) static var delivered = 0

    init(context: NodeContext) throws {}

    func process(_ packet: Packet, port: String, _ io: NodeIO) throws {
        let batch = try packet.value(as: FrameBatch.self)
        let t = Double(DispatchTime.now().uptimeNanoseconds - Self.origin) / 1e9
        let rss = Memory.residentBytes()
        Self.arrivals.append(Arrival(seconds: t, frames: batch.count, rssBytes: rss))
        Self.delivered += batch.count
        if Self.delivered >= (Self.minutes.count + 1) * 60 * 16 {
            Self.minutes.append(Minute(rssBytes: rss, heap: HeapStats.current()))
        }
    }
}

enum Memory {
    /// Current resident set size from /proc/self/statm.
    static func residentBytes() -> Int {
        guard let s = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = s.split(separator: " ")
        return fields.count > 1 ? (Int(fields[1]) ?? 0) * Int(sysconf(Int32(_SC_PAGESIZE))) : 0
    }

    /// Peak resident set size of the process so far (ru_maxrss).
    static func peakBytes() -> Int {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return usage.ru_maxrss * 1024
    }
}

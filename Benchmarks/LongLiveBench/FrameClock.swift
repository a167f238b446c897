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

    /// Arrivals of the most recent run (the benchmark runs one graph at a time).
    nonisolated(unsafe) static var arrivals: [Arrival] = []
    nonisolated(unsafe) static var origin = DispatchTime.now().uptimeNanoseconds

    init(context: NodeContext) throws {}

    func process(_ packet: Packet, port: String, _ io: NodeIO) throws {
        let batch = try packet.value(as: FrameBatch.self)
        let t = Double(DispatchTime.now().uptimeNanoseconds - Self.origin) / 1e9
        Self.arrivals.append(Arrival(seconds: t, frames: batch.count, rssBytes: Memory.residentBytes()))
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

import Foundation
import Synchronization
import FlowKit

/// A sink beside the video encoder that notes when the last frame batch of a run arrived, so a
/// measurement ends at the last frame delivered rather than after the file is closed.
final class FrameClock: Node {
    static let contract = NodeContract(
        type: "bench.search_frame_clock",
        summary: "Benchmark sink: counts frames and the time the last batch arrived",
        inputs: [PortSpec("frames", FrameBatch.self)])

    struct Reading: Sendable {
        var frames = 0
        var lastArrivalNanos: UInt64 = 0
    }

    /// The reading of the current run (the benchmark runs one graph at a time). A Mutex rather than
    /// an unsafe static: the node writes from its own queue and main reads after the run.
    static let reading = Mutex(Reading())

    init(context: NodeContext) throws {}

    func process(_ packet: Packet, port: String, _ io: NodeIO) throws {
        let batch = try packet.value(as: FrameBatch.self)
        let now = DispatchTime.now().uptimeNanoseconds
        Self.reading.withLock { $0.frames += batch.count; $0.lastArrivalNanos = now }
    }

    static func reset() { reading.withLock { $0 = Reading() } }
}

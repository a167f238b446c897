import Foundation
import FlowKit

/// Emits 0, 1, 2, … and ends after `count` packets: a source with an explicit end of stream.
/// With `interval_ms` it is a timer; unlike dora's timers it still ends.
public final class SourceCounterNode: Node {
    public static let contract = NodeContract(
        type: "source.counter",
        summary: "Counts from start, one packet per call, and ends after count packets.",
        outputs: [PortSpec("value", Int.self, doc: "the count; position = the count")],
        params: [
            ParamSpec("count", .int, default: .int(10), range: 0...1e12, doc: "packets to emit before end of stream"),
            ParamSpec("start", .int, default: .int(0), doc: "first value"),
            ParamSpec("interval_ms", .float, default: .float(0), range: 0...3.6e6, doc: "pause before each packet (a timer)"),
        ])

    private let count: Int
    private let start: Int
    private let interval: Double
    private var emitted = 0

    public init(context: NodeContext) throws {
        count = context.params.int("count")
        start = context.params.int("start")
        interval = context.params.double("interval_ms")
    }

    public func produce(_ io: NodeIO) throws -> Production {
        guard emitted < count else { return .done }
        if interval > 0 { Thread.sleep(forTimeInterval: interval / 1000) }
        let v = start + emitted
        try io.emit("value", Packet(position: v, payload: v))
        emitted += 1
        return emitted < count ? .more : .done
    }
}

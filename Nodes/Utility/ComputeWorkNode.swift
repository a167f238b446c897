import Foundation
import FlowKit

/// Passes packets through after a configurable single-threaded cost: spinning (CPU-bound) or
/// sleeping (I/O- or accelerator-bound). Used by tests and the executor benchmark.
public final class ComputeWorkNode: Node {
    public static let contract = NodeContract(
        type: "compute.work",
        summary: "Pass-through with a configurable cost per packet; can fail on purpose.",
        inputs: [PortSpec("in", .any, doc: "anything")],
        outputs: [PortSpec("out", .any, doc: "the same packet")],
        params: [
            ParamSpec("cost_us", .float, default: .float(0), range: 0...6e7, doc: "cost per packet in microseconds"),
            ParamSpec("mode", .choice(["spin", "sleep"]), default: .string("spin"), doc: "spin burns CPU, sleep does not"),
            ParamSpec("fail_at", .int, default: .int(-1), doc: "throw when this position arrives (-1: never)"),
        ])

    private let cost: Double
    private let sleeps: Bool
    private let failAt: Int

    public init(context: NodeContext) throws {
        cost = context.params.double("cost_us")
        sleeps = context.params.string("mode") == "sleep"
        failAt = context.params.int("fail_at")
    }

    public func process(_ packet: Packet, port: String, _ io: NodeIO) throws {
        if packet.position == failAt { throw NodeError("failing on purpose at position \(failAt) (fail_at)") }
        if cost > 0 {
            if sleeps { Thread.sleep(forTimeInterval: cost / 1e6) } else { Spin.forMicroseconds(cost) }
        }
        try io.emit("out", packet)
    }
}

/// Burns CPU for a while without sleeping: stands in for a kernel.
public enum Spin {
    public static func forMicroseconds(_ us: Double) {
        let end = DispatchTime.now().uptimeNanoseconds + UInt64(us * 1000)
        var x: UInt64 = 0x9E37_79B9_7F4A_7C15
        while DispatchTime.now().uptimeNanoseconds < end {
            for _ in 0..<64 { x = x &* 6364136223846793005 &+ 1442695040888963407 }
        }
        sink = x
    }
    // Keeps the optimiser from deleting the loop.
    nonisolated(unsafe) static var sink: UInt64 = 0
}

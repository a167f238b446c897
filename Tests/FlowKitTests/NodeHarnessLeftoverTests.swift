import XCTest
import FlowKit

/// The harness accounts for every packet, as swift-nio's EmbeddedChannel does at finish: what the node emitted
/// that the test never read, what was fed but never processed, and the node's own unfinished work.
final class NodeHarnessLeftoverTests: XCTestCase {
    /// Doubles each int; emits a count at finish; holds back odd numbers as "pending" until finish.
    final class Doubler: Node, ReportsPendingWork {
        static let contract = NodeContract(
            type: "test.doubler", summary: "test",
            inputs: [PortSpec("in", Int.self)],
            outputs: [PortSpec("out", Int.self), PortSpec("count", Int.self)])
        var seen = 0
        var held: [Int] = []
        init(context: NodeContext) throws {}
        func process(_ packet: Packet, port: String, _ io: NodeIO) throws {
            let v: Int = try packet.value()
            seen += 1
            if v % 2 == 1 { held.append(v); return }
            try io.emit("out", Packet(position: packet.position, payload: v * 2))
        }
        var pendingWork: [String] { held.isEmpty ? [] : ["\(held.count) odd value(s) held"] }
        func finish(_ io: NodeIO) throws { try io.emit("count", Packet(position: seen, payload: seen)) }
    }

    func testReadingEveryOutputLeavesNothing() throws {
        let h = try NodeHarness(Doubler.self)
        try h.feed("in", position: 0, 2)
        XCTAssertEqual(try h.payloads("out", as: Int.self), [4])
        _ = try h.finish()
        XCTAssertEqual(h.readOutputs("count").count, 1)
        XCTAssertTrue(h.leftovers.isClean, "\(h.leftovers)")
    }

    func testUnreadOutputsAreReportedPerPort() throws {
        let h = try NodeHarness(Doubler.self)
        try h.feed("in", position: 0, 2)
        try h.feed("in", position: 1, 4)
        XCTAssertEqual(h.readOutputs("out").count, 2)
        try h.feed("in", position: 2, 6)
        let left = try h.finish()
        XCTAssertEqual(left.unreadOutputs, ["out": 1, "count": 1], "the emit after the last read, and finish's own")
        XCTAssertThrowsError(try h.finishClean()) { error in
            XCTAssertTrue("\(error)".contains("1 unread packet(s) on 'out'"), "\(error)")
        }
    }

    func testUnprocessedInputsAndPendingWorkAreReported() throws {
        let h = try NodeHarness(Doubler.self)
        try h.feed("in", position: 0, 3)
        h.enqueue("in", Packet(position: 1, payload: 8))
        let left = try h.finish()
        XCTAssertEqual(left.unprocessedInputs, 1)
        XCTAssertEqual(left.pendingWork, ["1 odd value(s) held"])
        XCTAssertFalse(left.isClean)
    }

    /// An emit of another payload type than the port declares fails at once, naming the node and the port.
    func testAnEmitOfTheWrongPayloadFailsWithNodeAndPort() throws {
        final class Liar: Node {
            static let contract = NodeContract(type: "test.liar", summary: "test", inputs: [PortSpec("in", Int.self)],
                                               outputs: [PortSpec("out", Int.self)])
            init(context: NodeContext) throws {}
            func process(_ packet: Packet, port: String, _ io: NodeIO) throws {
                try io.emit("out", Packet(position: 0, payload: "not an int"))
            }
        }
        let h = try NodeHarness(Liar.self, id: "liar1")
        XCTAssertThrowsError(try h.feed("in", position: 0, 1)) { error in
            XCTAssertEqual("\(error)", "node 'liar1' (test.liar) emitted String on output 'out', which carries Int (int)")
        }
    }
}

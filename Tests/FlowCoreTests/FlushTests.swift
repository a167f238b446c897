import Foundation
import XCTest
import FlowCore
import FlowKit

/// A prompt switch must not leave stale packets queued: a node can drop what waits on its inputs,
/// and what it already emitted that consumers have not started.
final class FlushTests: XCTestCase {
    /// Emits `count` packets without blocking (the edge holds them all), then opens the gate.
    final class BurstSource: Node {
        static let contract = NodeContract(type: "test.burst", summary: "test",
                                           outputs: [PortSpec("out", Int.self)],
                                           params: [ParamSpec("count", .int, default: .int(8), doc: "")])
        nonisolated(unsafe) static var gate = DispatchSemaphore(value: 0)
        let count: Int
        init(context: NodeContext) throws { count = context.params.int("count") }
        func produce(_ io: NodeIO) throws -> Production {
            for i in 0..<count { try io.emit("out", Packet(position: i, payload: i)) }
            Self.gate.signal()
            return .done
        }
    }

    /// On the first packet, waits until the burst is queued, then flushes its inputs.
    final class FlushingNode: Node {
        static let contract = NodeContract(type: "test.flusher", summary: "test",
                                           inputs: [PortSpec("in", Int.self)], outputs: [PortSpec("out", Int.self)])
        nonisolated(unsafe) static var dropped = -1
        init(context: NodeContext) throws {}
        func process(_ packet: Packet, port: String, _ io: NodeIO) throws {
            if packet.position == 0 {
                XCTAssertEqual(BurstSource.gate.wait(timeout: .now() + 30), .success)
                Self.dropped = io.flushInputs(nil)
            }
            try io.emit("out", packet)
        }
    }

    /// On the first packet, waits until the burst is queued, then takes the queued packets as one batch.
    final class BatchingNode: Node {
        static let contract = NodeContract(type: "test.batcher", summary: "test",
                                           inputs: [PortSpec("in", Int.self)], outputs: [PortSpec("batch", Int.self)])
        nonisolated(unsafe) static var batches: [[Int]] = []
        init(context: NodeContext) throws {}
        func process(_ packet: Packet, port: String, _ io: NodeIO) throws {
            if packet.position == 0 { XCTAssertEqual(BurstSource.gate.wait(timeout: .now() + 30), .success) }
            let batch = [packet] + io.takeQueued("in", limit: 4)
            Self.batches.append(batch.map(\.position))
            try io.emit("batch", Packet(position: packet.position, payload: batch.count))
        }
    }

    /// Takes three packets, then ends its stream.
    final class TakeThree: Node {
        static let contract = NodeContract(type: "test.take3", summary: "test", inputs: [PortSpec("in", .any)])
        var seen = 0
        init(context: NodeContext) throws {}
        func process(_ packet: Packet, port: String, _ io: NodeIO) throws {
            seen += 1
            if seen == 3 { io.endStream() }
        }
    }

    func testSourceStopsWhenEveryConsumerHasFinished() throws {
        let (run, outcome) = try runGraph("""
        version: 1
        name: early
        nodes:
          count: { type: source.counter, count: 1000000000 }
          take: { type: test.take3, inputs: { in: count.value } }
        """)
        guard case .completed = outcome else { return XCTFail("\(outcome)") }
        XCTAssertEqual(run.stats.nodes[1].itemsIn, 3)
        XCTAssertLessThan(run.stats.nodes[0].itemsOut, 1000)
    }

    override class func setUp() {
        try? NodeRegistry.shared.register(TakeThree.self)
        try? NodeRegistry.shared.register(BurstSource.self)
        try? NodeRegistry.shared.register(FlushingNode.self)
        try? NodeRegistry.shared.register(BatchingNode.self)
    }

    func testQueuedPacketsCanBeTakenAsABatch() throws {
        BurstSource.gate = DispatchSemaphore(value: 0)
        BatchingNode.batches = []
        let (run, outcome) = try runGraph("""
        version: 1
        name: batch
        nodes:
          burst: { type: test.burst, count: 8 }
          batcher: { type: test.batcher, inputs: { in: { from: burst.out, queue: 8 } } }
          sink: { type: sink.collect, inputs: { in: batcher.batch } }
        """)
        guard case .completed = outcome else { return XCTFail("\(outcome)") }
        XCTAssertEqual(BatchingNode.batches, [[0, 1, 2, 3, 4], [5, 6, 7]])
        XCTAssertEqual(run.stats.nodes.first { $0.id == "batcher" }?.itemsIn, 8)
    }

    func testFlushDropsEverythingQueuedAndUnblocksTheProducer() throws {
        BurstSource.gate = DispatchSemaphore(value: 0)
        let (run, outcome) = try runGraph("""
        version: 1
        name: flush
        nodes:
          burst: { type: test.burst, count: 8 }
          flusher: { type: test.flusher, inputs: { in: { from: burst.out, queue: 8 } } }
          sink: { type: sink.collect, inputs: { in: flusher.out } }
        """)
        guard case .completed = outcome else { return XCTFail("\(outcome)") }
        XCTAssertEqual(FlushingNode.dropped, 7)
        XCTAssertEqual(run.sink("sink").positions, [0])
        XCTAssertEqual(run.stats.edges.first { $0.name.hasPrefix("burst.out") }?.flushed, 7)
    }

    func testIncludedSubgraphRunsWithParams() throws {
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let out = Fixtures.temporaryDirectory().appendingPathComponent("demo.txt").path
        let result = compile(repo.appendingPathComponent("Graphs/pipeline-demo.yaml").path, overrides: ["packets=12", "out=\(out)"])
        let graph = try XCTUnwrap(result.graph, result.renderer.render(result.diagnostics))
        XCTAssertEqual(graph.nodes.map(\.id), ["count", "stages/a", "stages/b", "stages/c", "sink"])
        XCTAssertEqual(graph.node(named: "stages/b")?.params["cost_us"], .float(4000))
        let run = try GraphRun(graph: graph)
        guard case .completed = run.run() else { return XCTFail() }
        XCTAssertEqual(try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n").last, "end 12")
    }
}

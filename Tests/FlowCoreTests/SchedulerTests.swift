import Foundation
import XCTest
import FlowCore
import FlowKit
import UtilityNodes

final class SchedulerTests: XCTestCase {
    func testPacketsFlowInOrderAndEveryNodeFinishesOnce() throws {
        for sequential in [false, true] {
            let (run, outcome) = try runGraph("""
            version: 1
            name: line
            nodes:
              count: { type: source.counter, count: 50 }
              work: { type: compute.work, cost_us: 50, inputs: { in: count.value } }
              sink: { type: sink.collect, inputs: { in: work.out } }
            """, sequential: sequential)
            guard case .completed = outcome else { return XCTFail("\(outcome)") }
            XCTAssertEqual(run.sink("sink").positions, Array(0..<50))
            XCTAssertEqual(run.sink("sink").finishCount, 1)
        }
    }

    func testNodeThatThrowsStopsTheGraphAndSinksStillFinalize() throws {
        let out = Fixtures.temporaryDirectory().appendingPathComponent("sink.txt").path
        let (run, outcome) = try runGraph("""
        version: 1
        name: failing
        nodes:
          count: { type: source.counter, count: 100000 }
          work: { type: compute.work, fail_at: 10, inputs: { in: count.value } }
          sink: { type: sink.collect, path: \(out), inputs: { in: work.out } }
        """)
        guard case .failed(let failure) = outcome else { return XCTFail("expected failure, got \(outcome)") }
        XCTAssertEqual(failure.nodeId, "work")
        XCTAssertEqual(failure.location.line, 5)
        XCTAssertEqual(failure.location.column, 3)
        XCTAssertEqual(failure.message, "failing on purpose at position 10 (fail_at)")
        XCTAssertEqual(outcome.exitCode, 1)
        let sink = run.sink("sink")
        XCTAssertEqual(sink.positions, Array(0..<10))
        XCTAssertEqual(sink.finishCount, 1)
        let text = try String(contentsOfFile: out, encoding: .utf8)
        XCTAssertTrue(text.hasSuffix("9 9\nend 10\n"), text)
        // The source stopped early instead of producing all 100000.
        XCTAssertLessThan(run.stats.nodes[0].itemsOut, 100000)
    }

    func testSlowSinkBlocksTheProducerAndQueuesStayBounded() throws {
        let (run, outcome) = try runGraph("""
        version: 1
        name: slow
        nodes:
          count: { type: source.counter, count: 40 }
          sink: { type: sink.collect, cost_us: 1000, inputs: { in: { from: count.value, queue: 3 } } }
        """)
        guard case .completed = outcome else { return XCTFail("\(outcome)") }
        XCTAssertEqual(run.sink("sink").positions, Array(0..<40))
        let edge = run.stats.edges[0]
        XCTAssertEqual(edge.pushed, 40)
        XCTAssertEqual(edge.dropped, 0)
        XCTAssertLessThanOrEqual(edge.maxDepth, 3)
        // With nothing dropped and depth bounded, the producer must have waited.
        XCTAssertGreaterThan(run.stats.nodes[0].blockedOnOutputNanos, 0)
    }

    func testFanOutAndFanIn() throws {
        for sequential in [false, true] {
            let (run, outcome) = try runGraph("""
            version: 1
            name: diamond
            nodes:
              count: { type: source.counter, count: 30 }
              left: { type: compute.work, cost_us: 20, inputs: { in: count.value } }
              right: { type: compute.work, cost_us: 40, inputs: { in: count.value } }
              sink: { type: sink.collect, inputs: { in: [left.out, right.out] } }
            """, sequential: sequential)
            guard case .completed = outcome else { return XCTFail("\(outcome)") }
            let positions = run.sink("sink").positions
            XCTAssertEqual(positions.count, 60)
            XCTAssertEqual(positions.sorted(), (0..<30).flatMap { [$0, $0] })
            XCTAssertEqual(run.sink("sink").finishCount, 1)
        }
    }

    func testFeedbackLoopRunsExactlyNIterations() throws {
        for sequential in [false, true] {
            let (run, outcome) = try runGraph("""
            version: 1
            name: loop
            nodes:
              step: { type: loop.step, iterations: 25, inputs: { back: { from: work.out, feedback: true } } }
              work: { type: compute.work, cost_us: 10, inputs: { in: step.next } }
              sink: { type: sink.collect, inputs: { in: step.next } }
            """, sequential: sequential)
            guard case .completed = outcome else { return XCTFail("\(outcome)") }
            XCTAssertEqual(run.sink("sink").positions, Array(0..<25))
        }
    }

    func testDropPoliciesAccountForEveryPacket() throws {
        for policy in ["drop-oldest", "latest"] {
            let (run, outcome) = try runGraph("""
            version: 1
            name: drops
            nodes:
              count: { type: source.counter, count: 200 }
              sink: { type: sink.collect, cost_us: 500, inputs: { in: { from: count.value, queue: 2, policy: \(policy) } } }
            """)
            guard case .completed = outcome else { return XCTFail("\(outcome)") }
            let received = run.sink("sink").positions
            let edge = run.stats.edges[0]
            XCTAssertEqual(edge.pushed, 200, policy)
            XCTAssertEqual(received.count + edge.dropped, 200, policy)
            XCTAssertGreaterThan(edge.dropped, 0, policy)
            XCTAssertEqual(received, received.sorted(), policy)
            XCTAssertEqual(received.last, 199, "the newest packet is never dropped (\(policy))")
            XCTAssertEqual(run.stats.nodes[0].blockedOnOutputNanos, 0, "dropping edges never block (\(policy))")
        }
    }

    func testTraceHasOneTrackPerNode() throws {
        let (run, _) = try runGraph("""
        version: 1
        name: traced
        nodes:
          count: { type: source.counter, count: 5 }
          sink: { type: sink.collect, inputs: { in: count.value } }
        """)
        let path = Fixtures.temporaryDirectory().appendingPathComponent("trace.json").path
        try run.writeTrace(to: path)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as! [String: Any]
        let events = json["traceEvents"] as! [[String: Any]]
        let names = events.filter { $0["name"] as? String == "thread_name" }.compactMap { ($0["args"] as? [String: Any])?["name"] as? String }
        XCTAssertEqual(names, ["count", "sink"])
        XCTAssertEqual(events.filter { $0["ph"] as? String == "X" && $0["name"] as? String == "process in" }.count, 5)
    }

    func testNodeHarnessRunsANodeAlone() throws {
        let harness = try NodeHarness(ComputeWorkNode.self, params: ["fail_at": .int(3)])
        for i in 0..<3 { try harness.feed("in", position: i, "p\(i)") }
        XCTAssertEqual(try harness.payloads("out", as: String.self), ["p0", "p1", "p2"])
        XCTAssertThrowsError(try harness.feed("in", position: 3, "p3"))
        XCTAssertThrowsError(try NodeHarness(ComputeWorkNode.self, params: ["mode": .string("fly")]))
    }
}

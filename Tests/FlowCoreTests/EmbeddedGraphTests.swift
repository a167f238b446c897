import XCTest
import FlowCore
import FlowKit
import UtilityNodes
import InteractiveNodes

/// Nodes wired in Swift run through the real compiler and the sequential scheduler.
final class EmbeddedGraphTests: XCTestCase {
    func testACounterThroughWorkIsCapturedInOrder() throws {
        let g = EmbeddedGraph()
        g.add("count", SourceCounterNode.self, ["count": .int(5)])
        g.add("work", ComputeWorkNode.self)
        g.connect("count.value", to: "work.in", queue: 1)
        g.capture("work.out")
        let run = try g.run()
        XCTAssertEqual(try run.payloads("work.out", as: Int.self), [0, 1, 2, 3, 4])
        XCTAssertEqual(run.packets("work.out").map(\.position), [0, 1, 2, 3, 4])
    }

    /// The compiler's checks apply: a type mismatch is an error that names the edge.
    func testCompileErrorsAreThrownWithTheirMessage() {
        let g = EmbeddedGraph()
        g.add("count", SourceCounterNode.self)
        g.add("mean", TensorMeanNode.self)
        g.connect("count.value", to: "mean.latents")
        XCTAssertThrowsError(try g.run()) { error in
            XCTAssertTrue("\(error)".contains("type mismatch on edge count.value -> mean.latents: int does not fit latent[f32; F, C, H, W]"), "\(error)")
        }
    }

    /// String params survive the trip through graph text: quotes, backslashes, newlines, control characters, unicode.
    func testStringParamsKeepEveryCharacter() throws {
        let text = "a \"quoted\" back\\slash, a tab\there,\na new line, \u{7f}, ünïcödé ✓"
        let g = EmbeddedGraph()
        g.add("prompts", PromptSourceNode.self, ["text": .string(text), "terminal": .string("off")])
        g.capture("prompts.prompt")
        let run = try g.run()
        XCTAssertEqual(try run.payloads("prompts.prompt", as: Prompt.self).map(\.text), [text])
    }

    func testRelativePathParamsResolveAgainstTheBaseDirectory() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("embedded-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let g = EmbeddedGraph(baseDirectory: dir.path)
        g.add("count", SourceCounterNode.self, ["count": .int(2)])
        g.add("sink", SinkCollectNode.self, ["path": .string("out/lines.txt")])
        g.connect("count.value", to: "sink.in")
        _ = try g.run()
        let written = try String(contentsOf: dir.appendingPathComponent("out/lines.txt"), encoding: .utf8)
        XCTAssertEqual(written, "0 0\n1 1\nend 2\n")
    }

    func testANodeFailureIsThrownAsTheRunsFailure() {
        final class Fails: Node {
            static let contract = NodeContract(type: "test.embedded_fails", summary: "test", inputs: [PortSpec("in", Int.self)])
            init(context: NodeContext) throws {}
            func process(_ packet: Packet, port: String, _ io: NodeIO) throws { throw NodeError("no thanks") }
        }
        let g = EmbeddedGraph()
        g.add("count", SourceCounterNode.self, ["count": .int(3)])
        g.add("fails", Fails.self)
        g.connect("count.value", to: "fails.in")
        XCTAssertThrowsError(try g.run()) { error in
            XCTAssertTrue("\(error)".contains("node 'fails' (test.embedded_fails) failed: no thanks"), "\(error)")
        }
    }

    /// Debug builds check every emit in a running graph too, naming the node and the port.
    func testAWrongPayloadFailsTheRunInDebugBuilds() throws {
        #if DEBUG
        final class Liar: Node {
            static let contract = NodeContract(type: "test.embedded_liar", summary: "test", inputs: [PortSpec("in", Int.self)],
                                               outputs: [PortSpec("out", Int.self)])
            init(context: NodeContext) throws {}
            func process(_ packet: Packet, port: String, _ io: NodeIO) throws {
                try io.emit("out", Packet(position: packet.position, payload: Float(1)))
            }
        }
        let g = EmbeddedGraph()
        g.add("count", SourceCounterNode.self, ["count": .int(2)])
        g.add("liar", Liar.self)
        g.connect("count.value", to: "liar.in")
        g.capture("liar.out")
        XCTAssertThrowsError(try g.run()) { error in
            XCTAssertTrue("\(error)".contains("node 'liar' (test.embedded_liar) emitted Float on output 'out', which carries Int (int)"), "\(error)")
        }
        #else
        throw XCTSkip("release builds trust the contract")
        #endif
    }
}

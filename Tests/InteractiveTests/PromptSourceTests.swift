import XCTest
#if canImport(Glibc)
import Glibc
#endif
import FlowKit
@testable import InteractiveNodes

final class PromptSourceTests: XCTestCase {
    func testTimelineIsEmittedWithTheNextDueFrame() throws {
        let timeline: ParamValue = .list([
            .map(["at": .int(0), "text": .string("a red circle")]),
            .map(["at": .int(24), "text": .string("a green square")]),
        ])
        let h = try NodeHarness(PromptSourceNode.self, params: ["timeline": timeline, "terminal": .string("off")])
        try h.drainSource()
        let packets = h.outputs("prompt")
        let prompts = try h.payloads("prompt", as: Prompt.self)
        XCTAssertEqual(prompts.map(\.text), ["a red circle", "a green square"])
        XCTAssertEqual(prompts.map(\.startFrame), [0, 24])
        XCTAssertEqual(prompts.map(\.generation), [0, 1])
        XCTAssertEqual(prompts.map(\.nextStartFrame), [24, nil])
        XCTAssertEqual(prompts.map(\.mode), [.timeline, .timeline])
        XCTAssertEqual(packets.map(\.position), [0, 24])
    }

    func testBadTimelinesAreReportedAtTheParam() throws {
        func problems(_ params: [String: ParamValue]) throws -> [String] {
            PromptSourceNode.check(try PromptSourceNode.contract.resolve(params)).map(\.message)
        }
        XCTAssertEqual(try problems([:]).count, 1, "no prompt at all")
        XCTAssertTrue(try problems(["timeline": .list([.map(["at": .int(12), "text": .string("x")])])])
            .contains { $0.contains("frame 0") })
        XCTAssertTrue(try problems(["timeline": .list([.map(["at": .int(0), "text": .string("x")]),
                                                     .map(["at": .int(0), "text": .string("y")])])])
            .contains { $0.contains("does not come after") })
        XCTAssertTrue(try problems(["timeline": .list([.map(["at": .int(0), "txt": .string("x")])])])
            .contains { $0.contains("unknown key") })
        XCTAssertEqual(try problems(["text": .string("one prompt")]), [])
    }

    /// With terminal input on, each line read from stdin becomes a live switch; end of input ends
    /// the source. (stdin is swapped for a pipe for the duration of the test.)
    func testTypedLinesBecomeLiveSwitches() throws {
        var fds: [Int32] = [0, 0]
        XCTAssertEqual(pipe(&fds), 0)
        let saved = dup(STDIN_FILENO)
        defer { dup2(saved, STDIN_FILENO); close(saved) }
        dup2(fds[0], STDIN_FILENO)
        close(fds[0])
        let typed = "the circle turns green\n\n  a blue square bounces  \n"
        XCTAssertEqual(typed.utf8.count, typed.withCString { write(fds[1], $0, strlen($0)) })
        close(fds[1])
        let h = try NodeHarness(PromptSourceNode.self, params: ["text": .string("a red circle"), "terminal": .string("on")])
        try h.drainSource(limit: 100)
        let prompts = try h.payloads("prompt", as: Prompt.self)
        XCTAssertEqual(prompts.map(\.text), ["a red circle", "the circle turns green", "a blue square bounces"], "blank lines are skipped")
        XCTAssertEqual(prompts.map(\.generation), [0, 1, 2])
        XCTAssertEqual(prompts.map(\.mode), [.timeline, .live, .live])
    }
}

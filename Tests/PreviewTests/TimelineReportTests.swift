@testable import FlowReport
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import XCTest

/// `flowrun report`: a trace in TraceWriter's format becomes one lane per node with busy and blocked
/// shares, and prompt switches as marks.
final class TimelineReportTests: XCTestCase {
    let trace = """
    {"traceEvents":[
     {"name":"process_name","ph":"M","pid":1,"args":{"name":"flowrun demo"}},
     {"name":"thread_name","ph":"M","pid":1,"tid":0,"args":{"name":"denoise"}},
     {"name":"thread_name","ph":"M","pid":1,"tid":1,"args":{"name":"vae <&>"}},
     {"name":"process latents","ph":"X","pid":1,"tid":0,"ts":0,"dur":600000},
     {"name":"blocked on latents@vae","ph":"X","pid":1,"tid":0,"ts":400000,"dur":200000},
     {"name":"process latents","ph":"X","pid":1,"tid":1,"ts":500000,"dur":500000},
     {"name":"prompt 1 (live) at block 3, frame 36: a gray one","ph":"i","s":"g","pid":1,"tid":0,"ts":700000}
    ]}
    """

    func testLanesAndMarks() throws {
        let file = try TraceFile(json: Data(trace.utf8))
        XCTAssertEqual(file.title, "flowrun demo")
        XCTAssertEqual(file.tracks.map(\.name), ["denoise", "vae <&>"])
        XCTAssertEqual(file.marks.count, 1)
        let lane = LaneColumns(spans: file.tracks[0].spans, columns: 10, total: 1_000_000)
        XCTAssertEqual(lane.busyTotal, 400_000, "the blocked span is taken out of the call it nests in")
        XCTAssertEqual(lane.blockedTotal, 200_000)
        XCTAssertEqual(lane.busy[0], 1, accuracy: 1e-9)
        XCTAssertEqual(lane.blocked[5], 1, accuracy: 1e-9)
        XCTAssertEqual(lane.busy[5], 0, accuracy: 1e-9)

        let svg = TimelineSVG.render(file, width: 900)
        XCTAssertTrue(svg.hasPrefix("<svg"))
        XCTAssertTrue(svg.contains("vae &lt;&amp;&gt;"), "names are escaped")
        XCTAssertTrue(svg.contains("a gray one"))
        XCTAssertTrue(svg.contains("busy 40%  blocked 20%"))
        XCTAssertNotNil(try? XMLDocument(xmlString: svg), "well-formed XML")
    }

    func testNotATrace() {
        XCTAssertThrowsError(try TraceFile(json: Data("{\"x\":1}".utf8)))
        XCTAssertThrowsError(try TraceFile(json: Data("garbage".utf8)))
    }
}

import Foundation
import XCTest
import FlowCore
import BuiltinNodes

/// The hangs GraphFuzzTests found, at the size it found them (too big for corpus files; the corpus has
/// small copies): each must give its located error within the fuzz hang guard of 2 s.
final class GraphFuzzRegressionTests: XCTestCase {
    let watchdog = Watchdog(limit: .seconds(2))

    /// Compiles `text` (written as graph.yaml next to `files`) under the hang guard; returns the first error.
    func firstError(_ text: String, files: [String: String] = [:], file: StaticString = #filePath, line: UInt = #line) throws -> Diagnostic? {
        BuiltinNodes.register()
        let dir = Fixtures.temporaryDirectory()
        for (name, contents) in files {
            try FileManager.default.createDirectory(at: dir.appendingPathComponent(name).deletingLastPathComponent(), withIntermediateDirectories: true)
            try contents.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        let path = dir.appendingPathComponent("graph.yaml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        guard let first = watchdog.run({ GraphCompiler(cores: 2).compile(file: path).errors.first }) else {
            XCTFail("ran past the 2 s hang guard", file: file, line: line)
            return nil
        }
        XCTAssertNotNil(first?.location, "no position: \(String(describing: first))", file: file, line: line)
        return first
    }

    func testSeventyThousandParamReferencesInOneValue() throws {
        let text = "version: 1\nname: bad\nparams:\n  frames: 3\nnodes:\n  count:\n    frames: " + String(repeating: "${frames}", count: 72_000) + "\n"
        XCTAssertEqual(try firstError(text)?.message, "node 'count' needs a 'type:' (or 'include:' for a subgraph)")
    }

    func testSeventyThousandReferencesSubstitutedIntoAParam() throws {
        let text = "version: 1\nname: bad\nparams:\n  mode: spin\nnodes:\n  count: { type: source.counter, count: 3 }\n"
            + "  work: { type: compute.work, mode: " + String(repeating: "${mode}", count: 72_000) + ", inputs: { in: count.value } }\n"
        XCTAssertEqual(try firstError(text)?.location?.line, 7)
    }

    func testAliasOfTenMillionValuesAsAMappingKey() throws {
        var lines = ["version: 1", "name: bomb", "a: &a [x, x, x, x, x, x, x, x, x, x]"]
        for (previous, name) in zip("abcdef", "bcdefg") {
            lines.append("\(name): &\(name) [" + Array(repeating: "*\(previous)", count: 10).joined(separator: ", ") + "]")
        }
        lines += ["nodes:", "  count: [*g: { type: source.counter }]"]
        XCTAssertEqual(try firstError(lines.joined(separator: "\n") + "\n")?.message, "mapping keys must be plain names, not a list")
    }

    func testHundredThousandCharacterTypeName() throws {
        let text = "version: 1\nname: bad\nnodes:\n  count: { type: " + String(repeating: "x", count: 100_000) + " }\n"
        XCTAssertEqual(try firstError(text)?.location?.line, 4)
    }

    func testTwoThousandReferencesToAnUnknownNode() throws {
        let nodes = (0..<2_000).map { "  work\($0): { type: compute.work, inputs: { in: in.in } }" }
        let text = "version: 1\nname: bad\nnodes:\n" + nodes.joined(separator: "\n") + "\n"
        XCTAssertEqual(try firstError(text)?.message, "unknown node 'in' in 'in.in'")
    }

    func testFiveHundredIncludesOfOneSubgraph() throws {
        let stage = "version: 1\nname: stage\ninputs: [in]\nnodes:\n  work: { type: compute.work, inputs: { in: in.in } }\n"
        let includes = (0..<500).map { "  stage\($0): { include: lib/stage.yaml, inputs: { in: count.value } }" }
        let text = "version: 1\nname: bad\nnodes:\n  count: { type: source.counter, count: 3 }\n  broken: { type: nope }\n"
            + includes.joined(separator: "\n") + "\n"
        XCTAssertEqual(try firstError(text, files: ["lib/stage.yaml": stage])?.location?.line, 5)
    }

    /// Feedback edges that close no loop, and edges from undeclared nodes, each once looked through every edge.
    func testTwoThousandNodesWithStrayFeedbackEdges() throws {
        let nodes = (0..<1_000).map { "  w\($0): { type: compute.work, inputs: { in: { from: c.value, feedback: true } } }\n  x\($0): { type: compute.work, inputs: { in: w\($0).out } }" }
        let text = "version: 1\nname: bad\nnodes:\n  c: { type: source.counter, count: 3 }\n" + nodes.joined(separator: "\n") + "\n  z: { type: nope }\n"
        XCTAssertEqual(try firstError(text)?.message, "unknown node type 'nope' (`flowrun nodes` lists them)")
    }
}

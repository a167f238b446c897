import XCTest
import FlowKit
@testable import FlowCore

/// `type: ${param}`: a library lets its includer pick a node type (e.g. reward.scorer or reward.verifier).
final class TypeParamTests: XCTestCase {
    private func graph(_ typeLine: String, overrides: [String] = []) throws -> GraphCompiler.Result {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("type-param-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent("graph.yaml")
        try """
        version: 1
        name: typed
        params:
          sink: { type: string, default: sink.collect, choices: [sink.collect, compute.work] }
        nodes:
          count: { type: source.counter, count: 3 }
          end: { type: \(typeLine), inputs: { in: count.value } }
        """.write(to: path, atomically: true, encoding: .utf8)
        return compile(path.path, overrides: overrides)
    }

    func testATypeFromAParamCompilesToThatType() throws {
        let chosen = try graph("${sink}", overrides: ["sink=compute.work"])
        let compiled = try XCTUnwrap(chosen.graph, chosen.renderer.render(chosen.diagnostics))
        XCTAssertEqual(compiled.nodes.first { $0.id == "end" }?.registration.contract.type, "compute.work")
        XCTAssertEqual(try XCTUnwrap(try graph("${sink}").graph).nodes.first { $0.id == "end" }?.registration.contract.type, "sink.collect")
    }

    func testATypeParamOutsideItsChoicesOrUndeclaredIsAnErrorAtTheLine() throws {
        let bad = try graph("${sink}", overrides: ["sink=video.encoder"])
        XCTAssertNil(bad.graph)
        let undeclared = try graph("${nothing}")
        XCTAssertNil(undeclared.graph)
        let text = undeclared.renderer.render(undeclared.diagnostics)
        XCTAssertTrue(text.contains("graph.yaml:7:"), text)
        XCTAssertTrue(text.contains("nothing"), text)
    }
}

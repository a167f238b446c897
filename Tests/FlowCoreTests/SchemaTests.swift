import Foundation
import XCTest

/// Every graph in Graphs/ satisfies Schemas/graph.schema.json, and the schema really rejects things.
/// The check runs Python's jsonschema (installed by scripts/setup).
final class SchemaTests: XCTestCase {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    func validate(_ files: [String]) throws -> (Int32, String) {
        try PluginTests.shell(["python3", Self.repo.appendingPathComponent("Tests/validate_graph_schema.py").path] + files)
    }

    func testEveryShippedGraphMatchesTheSchema() throws {
        let (status, text) = try validate([])
        XCTAssertEqual(status, 0, text)
        XCTAssertTrue(text.contains(" valid, 0 invalid"), text)
    }

    func testSchemaRejectsMalformedGraphs() throws {
        for name in ["unknown_top_key.yaml", "bad_policy.yaml", "bad_queue.yaml", "missing_nodes.yaml", "unknown_edge_option.yaml", "bad_reference_syntax.yaml"] {
            let (status, text) = try validate([Fixtures.bad(name)])
            XCTAssertEqual(status, 1, "\(name): \(text)")
        }
    }
}

import Foundation
import XCTest
import FlowCore

/// Every malformed graph under Fixtures/bad gives its exact first error at its exact place,
/// with no crash and no hang.
final class BadGraphCorpusTests: XCTestCase {
    /// (file, file the error is in, line, column, message); {dir} stands for the fixture folder.
    static let corpus: [(String, String, Int, Int, String)] = [
        ("alias_bomb.yaml", "alias_bomb.yaml", 3, 26, "document expands to more than 200000 values (alias expansion?); refusing to load it"),
        ("bad_node_id.yaml", "bad_node_id.yaml", 4, 3, "node id '9lives' must start with a letter and contain only letters, digits, _ and -"),
        ("bad_policy.yaml", "bad_policy.yaml", 5, 74, "policy must be one of block, drop-oldest, latest; found 'drop-newest'; did you mean 'drop-oldest'?"),
        ("bad_queue.yaml", "bad_queue.yaml", 5, 73, "queue must be a whole number from 1 to 1048576"),
        ("bad_reference_syntax.yaml", "bad_reference_syntax.yaml", 5, 45, "'count' is not a port reference; write node.port, e.g. text.embedding"),
        ("comments_only.yaml", "comments_only.yaml", 1, 1, "graph file is empty"),
        ("duplicate_key.yaml", "duplicate_key.yaml", 7, 5, "duplicate key 'count'"),
        ("duplicate_node.yaml", "duplicate_node.yaml", 5, 3, "duplicate key 'count'"),
        ("edge_into_source.yaml", "edge_into_source.yaml", 5, 44, "node 'b' (source.counter) has no input 'in'; it has no inputs (it is a source)"),
        ("empty.yaml", "empty.yaml", 1, 1, "graph file is empty"),
        ("fan_in_not_allowed.yaml", "fan_in_not_allowed.yaml", 6, 55, "input 'in' of node 'work' takes one edge, and this is a second (compute.work does not allow fan-in)"),
        ("include_cycle.yaml", "include_cycle_b.yaml", 4, 21, "include cycle: include_cycle.yaml -> include_cycle_b.yaml -> include_cycle.yaml"),
        ("missing_include.yaml", "missing_include.yaml", 4, 19, "cannot include 'nowhere.yaml': no such file (looked for {dir}/nowhere.yaml)"),
        ("missing_input.yaml", "missing_input.yaml", 4, 3, "node 'mean' (tensor.mean) is missing required input 'latents' (latent[f32; F, C, H, W])"),
        ("missing_nodes.yaml", "missing_nodes.yaml", 1, 1, "missing 'nodes:'"),
        ("missing_version.yaml", "missing_version.yaml", 1, 1, "missing 'version: 1' at the top of the graph"),
        ("node_without_type.yaml", "node_without_type.yaml", 4, 3, "node 'count' needs a 'type:' (or 'include:' for a subgraph)"),
        ("non_utf8.yaml", "non_utf8.yaml", 2, 10, "graph files must be UTF-8 text: found byte 0xE9 that is not valid UTF-8"),
        ("not_a_mapping.yaml", "not_a_mapping.yaml", 1, 1, "a graph file is a mapping with version, name and nodes; found a list"),
        ("nul_byte.yaml", "nul_byte.yaml", 2, 8, "graph files must be UTF-8 text: found a NUL byte"),
        ("param_bad_choice.yaml", "param_bad_choice.yaml", 5, 37, "param 'mode' of node 'work': 'spinn' is not one of spin, sleep"),
        ("param_declaration_bad_type.yaml", "param_declaration_bad_type.yaml", 4, 19, "unknown param type 'integer'; use one of int, float, bool, string, path, list, map"),
        ("param_out_of_range.yaml", "param_out_of_range.yaml", 4, 41, "param 'count' of node 'count': -5 is out of range 0...1000000000000"),
        ("param_wrong_type.yaml", "param_wrong_type.yaml", 4, 41, "param 'count' of node 'count': expected int, got string 'many'"),
        ("shape_mismatch.yaml", "shape_mismatch.yaml", 5, 40, "shape mismatch on edge src.latents -> mean.latents: dimension 1 (C / C) is 8 at the producer but 16 at the consumer; 16 follows from param 'channels' of node 'mean'"),
        ("tab_indent.yaml", "tab_indent.yaml", 4, 1, "YAML syntax error: found character that cannot start any token"),
        ("type_mismatch.yaml", "type_mismatch.yaml", 5, 49, "type mismatch on edge count.value -> mean.latents: int does not fit latent[f32; F, C, H, W]"),
        ("undeclared_cycle.yaml", "undeclared_cycle.yaml", 4, 42, "cycle: a -> b -> a; mark the edge that closes the loop with 'feedback: true'"),
        ("unknown_edge_option.yaml", "unknown_edge_option.yaml", 5, 66, "unknown edge option 'capacity'"),
        ("unknown_input_port.yaml", "unknown_input_port.yaml", 5, 46, "node 'sink' (sink.collect) has no input 'inn'; its inputs: in; did you mean 'in'?"),
        ("unknown_node_ref.yaml", "unknown_node_ref.yaml", 5, 45, "unknown node 'cont' in 'cont.value'; did you mean 'count'?"),
        ("unknown_param.yaml", "unknown_param.yaml", 4, 34, "unknown param 'cuont' for source.counter; its params: count, start, interval_ms; did you mean 'count'?"),
        ("unknown_param_reference.yaml", "unknown_param_reference.yaml", 6, 41, "unknown param 'frams' in '${frams}'; did you mean 'frames'?"),
        ("unknown_port.yaml", "unknown_port.yaml", 5, 45, "node 'count' (source.counter) has no output 'valu'; its outputs: value; did you mean 'value'?"),
        ("unknown_top_key.yaml", "unknown_top_key.yaml", 3, 1, "unknown key 'node' at the top of a graph; did you mean 'nodes'?"),
        ("unknown_type.yaml", "unknown_type.yaml", 4, 18, "unknown node type 'source.countr'; did you mean 'source.counter'? (`flowrun nodes` lists them)"),
        ("wrong_version.yaml", "wrong_version.yaml", 1, 10, "unsupported graph version 2; this flowrun reads version 1"),
        ("yaml_syntax.yaml", "yaml_syntax.yaml", 5, 7, "YAML syntax error: did not find expected ',' or '}'"),
        // Found by GraphFuzzTests; each file says how.
        ("alias_key_bomb.yaml", "alias_key_bomb.yaml", 13, 11, "mapping keys must be plain names, not a list"),
        ("cr_line_breaks.yaml", "cr_line_breaks.yaml", 6, 18, "unknown node type 'source.countr'; did you mean 'source.counter'? (`flowrun nodes` lists them)"),
        ("deep_nesting.yaml", "deep_nesting.yaml", 6, 42, "YAML syntax error: lists and mappings nest deeper than 1000 levels"),
        ("huge_unknown_type.yaml", "huge_unknown_type.yaml", 6, 18, "unknown node type '\(String(repeating: "x", count: 2000))' (`flowrun nodes` lists them)"),
        ("include_folder.yaml", "include_folder.yaml", 6, 19, "cannot read graph file '{dir}/.': it is a folder"),
        ("long_interpolation.yaml", "long_interpolation.yaml", 9, 37, "param 'mode' of node 'work': '\(String(repeating: "spin", count: 20))' is not one of spin, sleep"),
        ("many_param_references.yaml", "many_param_references.yaml", 8, 3, "node 'count' needs a 'type:' (or 'include:' for a subgraph)"),
        ("many_unknown_references.yaml", "many_unknown_references.yaml", 6, 46, "unknown node 'in' in 'in.in'"),
        ("repeated_include.yaml", "broken_stage.yaml", 7, 1, "YAML syntax error: did not find expected ',' or '}'"),
        ("unexpected_end.yaml", "unexpected_end.yaml", 7, 4, "YAML syntax error: could not find expected ':'"),
        ("unconnected_subgraph_input.yaml", "unconnected_subgraph_input.yaml", 6, 21, "input 'in' of subgraph 'stage' is not connected; node 'stage/work' (compute.work) needs it for its input 'in' (any)"),
    ]

    func testEveryCorpusFileGivesItsExpectedError() throws {
        XCTAssertGreaterThanOrEqual(Self.corpus.count, 41)
        let dir = Fixtures.root.appendingPathComponent("bad").path
        for (name, errorFile, line, column, message) in Self.corpus {
            let result = compile(Fixtures.bad(name))
            XCTAssertNil(result.graph, name)
            guard let first = result.errors.first else { XCTFail("\(name): no error"); continue }
            XCTAssertEqual(first.message, message.replacingOccurrences(of: "{dir}", with: dir), name)
            XCTAssertEqual(first.location.map { ($0.file as NSString).lastPathComponent }, errorFile, name)
            XCTAssertEqual(first.location?.line, line, name)
            XCTAssertEqual(first.location?.column, column, name)
        }
    }

    func testCorpusCoversEveryFile() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Fixtures.root.appendingPathComponent("bad").path)
            .filter { $0.hasSuffix(".yaml") && $0 != "include_cycle_b.yaml" }
        XCTAssertEqual(Set(files), Set(Self.corpus.map(\.0)))
    }

    func testAllErrorsAreReportedAtOnce() {
        let path = Fixtures.graph("""
        version: 1
        name: many
        nodes:
          count: { type: source.countr }
          work: { type: compute.work, cost_uss: 3, inputs: { in: cont.value } }
          sink: { type: sink.collect, inputs: { in: work.outt } }
        """)
        let messages = compile(path).errors.map { "\($0.location!.line):\($0.location!.column) \($0.message)" }
        XCTAssertEqual(messages, [
            "5:58 unknown node 'cont' in 'cont.value'; did you mean 'count'?",
            "4:18 unknown node type 'source.countr'; did you mean 'source.counter'? (`flowrun nodes` lists them)",
            "5:31 unknown param 'cost_uss' for compute.work; its params: cost_us, mode, fail_at; did you mean 'cost_us'?",
            "6:45 node 'work' (compute.work) has no output 'outt'; its outputs: out; did you mean 'out'?",
        ])
    }

    func testOversizedDocumentIsRefusedWithoutReadingIt() throws {
        let url = Fixtures.temporaryDirectory().appendingPathComponent("huge.yaml")
        let line = "# " + String(repeating: "x", count: 1000) + "\n"
        try String(repeating: line, count: 1100).write(to: url, atomically: true, encoding: .utf8)
        let first = compile(url.path).errors.first
        XCTAssertEqual(first?.message, "graph file is 1103300 bytes; the limit is 1048576 bytes")
        XCTAssertEqual(first?.location?.line, 1)
    }

    /// Every error can be quoted: the line it points at exists and is the one meant, whatever the line ends.
    func testEveryCorpusErrorQuotesItsLine() throws {
        for (name, _, _, _, _) in Self.corpus {
            let result = compile(Fixtures.bad(name))
            guard let first = result.errors.first, let location = first.location, result.sources[location.file] != nil else { continue }
            XCTAssertNotNil(result.renderer.quotedLine(at: location), "\(name): \(first)")
        }
        let cr = compile(Fixtures.bad("cr_line_breaks.yaml"))
        let first = try XCTUnwrap(cr.errors.first?.location)
        XCTAssertEqual(cr.renderer.quotedLine(at: first), "  count: { type: source.countr }")
    }

    /// A subgraph included many times is read once: its syntax error is reported once, not per include.
    func testARepeatedIncludeReportsItsErrorOnce() {
        let errors = compile(Fixtures.bad("repeated_include.yaml")).errors
        XCTAssertEqual(errors.filter { $0.message.hasPrefix("YAML syntax error") }.count, 1, errors.map(\.message).joined(separator: "\n"))
    }

    /// Files that each include the next twice multiply: sixteen levels would make 65,536 copies.
    func testIncludesThatMultiplyStopAtTheNodeLimit() throws {
        let dir = Fixtures.temporaryDirectory()
        for level in 0..<16 {
            let next = level < 15 ? "  a: { include: l\(level + 1).yaml, inputs: { in: w.out } }\n  b: { include: l\(level + 1).yaml, inputs: { in: w.out } }\n" : ""
            try "version: 1\nname: l\(level)\ninputs: [in]\noutputs: { out: w.out }\nnodes:\n  w: { type: compute.work, inputs: { in: in.in } }\n\(next)"
                .write(to: dir.appendingPathComponent("l\(level).yaml"), atomically: true, encoding: .utf8)
        }
        let root = dir.appendingPathComponent("root.yaml")
        try "version: 1\nname: root\nnodes:\n  c: { type: source.counter, count: 1 }\n  t: { include: l0.yaml, inputs: { in: c.value } }\n"
            .write(to: root, atomically: true, encoding: .utf8)
        let messages = compile(root.path).errors.map(\.message)
        XCTAssertTrue(messages.contains("the graph expands to more than 20000 nodes (includes that include each other several times?); this include and later ones are not expanded"), messages.prefix(3).joined(separator: "\n"))
    }

    func testBadOverridesAreReported() {
        let path = Fixtures.graph("""
        version: 1
        name: o
        params:
          frames: { type: int, default: 3, min: 1 }
        nodes:
          count: { type: source.counter, count: ${frames} }
          sink: { type: sink.collect, inputs: { in: count.value } }
        """)
        XCTAssertEqual(compile(path, overrides: ["frames=abc"]).errors.map(\.message), ["bad --set frames=abc: expected int, got string 'abc'"])
        XCTAssertEqual(compile(path, overrides: ["frames=0"]).errors.map(\.message), ["bad --set frames=0: 0 is out of range 1...inf"])
        XCTAssertEqual(compile(path, overrides: ["framez=4"]).errors.map(\.message), ["--set framez: the graph has no param 'framez'; did you mean 'frames'?"])
        XCTAssertEqual(compile(path, overrides: ["frames"]).errors.map(\.message), ["bad --set 'frames': write key=value, e.g. --set frames=960"])
        XCTAssertNotNil(compile(path, overrides: ["frames=7"]).graph)
    }

    /// Found by GraphFuzzTests: `--set` errors had no position. They point at the param's declaration
    /// (its type and range are there), or, for a name the graph does not declare, at its params.
    func testBadOverridesPointAtTheParamTheyTriedToSet() {
        let path = Fixtures.graph("""
        version: 1
        name: o
        params:
          packets: { type: int, default: 3 }
          frames: { type: int, default: 3, min: 1 }
        nodes:
          count: { type: source.counter, count: ${frames} }
          sink: { type: sink.collect, inputs: { in: count.value } }
        """)
        func place(_ overrides: [String]) -> String? {
            compile(path, overrides: overrides).errors.first?.location.map { "\($0.line):\($0.column)" }
        }
        XCTAssertEqual(place(["frames=abc"]), "5:3")
        XCTAssertEqual(place(["frames=0"]), "5:3")
        XCTAssertEqual(place(["frames"]), "5:3")
        XCTAssertEqual(place(["framez=4"]), "4:3")
        XCTAssertEqual(place(["=4"]), "4:3")
    }

    func testMissingFileIsAnError() {
        let errors = compile("/nonexistent/graph.yaml").errors
        XCTAssertEqual(errors.map(\.message), ["cannot read graph file '/nonexistent/graph.yaml': no such file"])
    }
}

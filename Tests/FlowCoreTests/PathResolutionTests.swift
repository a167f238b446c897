import Foundation
import XCTest
import FlowCore
import FlowKit

/// A relative path in a graph names a file next to the graph file that wrote it, whatever the working
/// directory, and whichever file (includer, subgraph, `--set`) the value travelled through.
final class PathResolutionTests: XCTestCase {
    /// A folder for the graph that is not the working directory, so the two cannot be confused.
    func graphFolder() throws -> URL {
        let dir = Fixtures.temporaryDirectory()
        XCTAssertNotEqual(dir.path, FileManager.default.currentDirectoryPath)
        return dir
    }

    func write(_ text: String, to url: URL) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
    }

    func run(_ file: URL, overrides: [String] = []) throws {
        let result = compile(file.path, overrides: overrides)
        guard let graph = result.graph else { return XCTFail(result.renderer.render(result.diagnostics)) }
        guard case .completed = try GraphRun(graph: graph).run() else { return XCTFail("the run did not complete") }
    }

    func testRelativeCollectPathLandsNextToTheGraphFile() throws {
        let dir = try graphFolder()
        let graph = dir.appendingPathComponent("graph.yaml")
        try write("""
        version: 1
        name: collect
        nodes:
          count: { type: source.counter, count: 3 }
          sink: { type: sink.collect, path: out/collected.txt, inputs: { in: count.value } }
        """, to: graph)
        let cwdCopy = URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent("out/collected.txt")
        let existedBefore = FileManager.default.fileExists(atPath: cwdCopy.path)
        try run(graph)
        let written = try String(contentsOf: dir.appendingPathComponent("out/collected.txt"), encoding: .utf8)
        XCTAssertEqual(written, "0 0\n1 1\n2 2\nend 3\n")
        if !existedBefore { XCTAssertFalse(FileManager.default.fileExists(atPath: cwdCopy.path), "written in the working directory too") }
    }

    /// The includer writes the path, so it is relative to the includer, not to the subgraph's folder.
    func testPathGivenToAnIncludeIsRelativeToTheIncluder() throws {
        let dir = try graphFolder()
        try write("""
        version: 1
        name: sub
        params:
          file: { type: path, doc: "where to write" }
        inputs: [in]
        nodes:
          sink: { type: sink.collect, path: ${file}, inputs: { in: in.in } }
        """, to: dir.appendingPathComponent("lib/sub.yaml"))
        let graph = dir.appendingPathComponent("graph.yaml")
        try write("""
        version: 1
        name: includer
        nodes:
          count: { type: source.counter, count: 2 }
          save: { include: lib/sub.yaml, params: { file: out/from-includer.txt }, inputs: { in: count.value } }
        """, to: graph)
        try run(graph)
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir.appendingPathComponent("out/from-includer.txt").path))
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("lib/out/from-includer.txt").path))
    }

    /// A default written in the subgraph is relative to the subgraph; a `--set` value to the root graph.
    func testDefaultsFollowTheirFileAndSetFollowsTheRootGraph() throws {
        let dir = try graphFolder()
        try write("""
        version: 1
        name: sub
        params:
          file: { type: path, default: sub-default.txt }
        inputs: [in]
        nodes:
          sink: { type: sink.collect, path: ${file}, inputs: { in: in.in } }
        """, to: dir.appendingPathComponent("lib/sub.yaml"))
        let graph = dir.appendingPathComponent("graph.yaml")
        try write("""
        version: 1
        name: includer
        params:
          out: { type: path, default: root-default.txt }
        nodes:
          count: { type: source.counter, count: 2 }
          save: { include: lib/sub.yaml, inputs: { in: count.value } }
          also: { type: sink.collect, path: ${out}, inputs: { in: count.value } }
        """, to: graph)
        let compiled = try XCTUnwrap(compile(graph.path, overrides: ["out=set/value.txt"]).graph)
        XCTAssertEqual(compiled.node(named: "save/sink")?.params["path"], .string(dir.appendingPathComponent("lib/sub-default.txt").path))
        XCTAssertEqual(compiled.node(named: "also")?.params["path"], .string(dir.appendingPathComponent("set/value.txt").path))
    }

    func testAbsoluteAndEmptyPathsAreLeftAsWritten() throws {
        let graph = try graphFolder().appendingPathComponent("graph.yaml")
        try write("""
        version: 1
        name: paths
        nodes:
          count: { type: source.counter, count: 1 }
          a: { type: sink.collect, path: /tmp/../tmp/x.txt, inputs: { in: count.value } }
          b: { type: sink.collect, inputs: { in: count.value } }
        """, to: graph)
        let compiled = try XCTUnwrap(compile(graph.path).graph)
        XCTAssertEqual(compiled.node(named: "a")?.params["path"], .string("/tmp/../tmp/x.txt"))
        XCTAssertEqual(compiled.node(named: "b")?.params["path"], .string(""))
    }
}

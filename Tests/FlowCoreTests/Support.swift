import Foundation
import XCTest
import FlowCore
import FlowKit
import BuiltinNodes
import UtilityNodes
// Every file of this target sees the shared test support (SplitMix64, temporary folders) without importing it.
@_exported import FlowTestSupport

/// Paths and helpers shared by the FlowCore tests.
enum Fixtures {
    static let folder = FixtureFolder(bundle: .module, origin: "see Tests/FlowCoreTests/Fixtures/README.md")
    static var root: URL { folder.url }
    static func bad(_ name: String) -> String { root.appendingPathComponent("bad").appendingPathComponent(name).path }

    /// A fresh folder, removed when the test process exits (graphs written from strings outlive
    /// the call that makes them).
    static func temporaryDirectory() -> URL { TemporaryFolder.untilExit(prefix: "flowrun-tests") }

    /// Writes a graph to a temporary file and returns its path.
    static func graph(_ text: String, name: String = "graph.yaml") -> String {
        let url = temporaryDirectory().appendingPathComponent(name)
        try! text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    /// The built `flowrun` executable, next to the test bundle.
    static var flowrunBinary: URL {
        var dir = Bundle.module.bundleURL.deletingLastPathComponent()
        for _ in 0..<3 where !FileManager.default.fileExists(atPath: dir.appendingPathComponent("flowrun").path) {
            dir = dir.deletingLastPathComponent()
        }
        return dir.appendingPathComponent("flowrun")
    }
}

func compile(_ path: String, overrides: [String] = []) -> GraphCompiler.Result {
    BuiltinNodes.register()
    return GraphCompiler(cores: 2).compile(file: path, overrides: overrides)
}

/// Compiles and runs a graph given as text; fails the test on compile errors.
func runGraph(_ text: String, sequential: Bool = false, file: StaticString = #filePath, line: UInt = #line) throws -> (GraphRun, RunOutcome) {
    let result = compile(Fixtures.graph(text))
    guard let graph = result.graph else {
        XCTFail("graph did not compile:\n\(result.renderer.render(result.diagnostics))", file: file, line: line)
        throw NodeError("compile failed")
    }
    let run = try GraphRun(graph: graph, options: RunOptions(sequential: sequential, trace: true))
    return (run, run.run())
}

extension GraphRun {
    func sink(_ id: String) -> SinkCollectNode { instance(id) as! SinkCollectNode }
}

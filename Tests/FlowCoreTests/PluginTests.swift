import Foundation
import XCTest
import FlowCore
import FlowKit

/// Plugins end to end: the example plugin is built, loaded by `flowrun` and run in a graph; broken or
/// mismatched libraries are refused with messages that name them.
final class PluginTests: XCTestCase {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let examplePackage = repo.appendingPathComponent("Nodes/ExamplePlugin")

    @discardableResult
    static func shell(_ args: [String], cwd: URL? = nil) throws -> (Int32, String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = args
        if let cwd { p.currentDirectoryURL = cwd }
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        return (p.terminationStatus, text)
    }

    /// Built once for all tests: `swift build -c release` in Nodes/ExamplePlugin.
    nonisolated(unsafe) static var builtExample: Result<URL, Error>?
    static func exampleLibrary() throws -> URL {
        if builtExample == nil {
            builtExample = Result {
                let (status, log) = try shell(["swift", "build", "-c", "release"], cwd: examplePackage)
                guard status == 0 else { throw NodeError("example plugin did not build:\n\(log)") }
                return examplePackage.appendingPathComponent(".build/release/libFrameTint.so")
            }
        }
        return try builtExample!.get()
    }

    /// A C shared library standing in for a broken plugin.
    func cLibrary(_ source: String) throws -> URL {
        let dir = Fixtures.temporaryDirectory()
        let c = dir.appendingPathComponent("plugin.c"), so = dir.appendingPathComponent("libbroken.so")
        try source.write(to: c, atomically: true, encoding: .utf8)
        let (status, log) = try Self.shell(["cc", "-shared", "-fPIC", "-o", so.path, c.path])
        XCTAssertEqual(status, 0, log)
        return so
    }

    func flowrun(_ args: [String], cwd: URL? = nil) throws -> (Int32, String) {
        try Self.shell([Fixtures.flowrunBinary.path] + args, cwd: cwd)
    }

    override func setUpWithError() throws {
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: Fixtures.flowrunBinary.path),
                          "build flowrun first (swift build); the README's test command does")
    }

    func testExamplePluginRunsInAGraph() throws {
        _ = try exampleLibraryOrFail()
        let dir = Fixtures.temporaryDirectory()
        let out = dir.appendingPathComponent("out/tint.txt").path
        let (status, log) = try flowrun([Self.examplePackage.appendingPathComponent("tint.yaml").path, "--set", "out=\(out)", "--quiet"], cwd: dir)
        XCTAssertEqual(status, 0, log)
        let lines = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, 5)
        XCTAssertEqual(lines.last, "end 4")
    }

    func testPluginNodesAreListedAndTypeChecked() throws {
        let lib = try exampleLibraryOrFail()
        let (status, text) = try flowrun(["nodes", "--plugin", lib.path, "frame.tint"])
        XCTAssertEqual(status, 0, text)
        XCTAssertTrue(text.contains("from plugin \(lib.standardizedFileURL.path)"), text)
        XCTAssertTrue(text.contains("frames: frames[u8; N, H, W, 3]"), text)

        let graph = Fixtures.graph("""
        version: 1
        name: wrong
        plugins: [\(lib.path)]
        nodes:
          count: { type: source.counter }
          tint: { type: frame.tint, color: [1, 2], inputs: { frames: count.value } }
          sink: { type: sink.collect, inputs: { in: tint.frames } }
        """)
        let (bad, errors) = try flowrun(["validate", graph])
        XCTAssertEqual(bad, 2)
        XCTAssertTrue(errors.contains("graph.yaml:6:62: error: type mismatch on edge count.value -> tint.frames: int does not fit frames[u8; N, H, W, 3]"), errors)
        XCTAssertTrue(errors.contains("graph.yaml:6:36: error: param 'color' of node 'tint' (frame.tint from plugin libFrameTint.so): needs exactly three values: [r, g, b]"), errors)
    }

    func testMismatchedFlowKitVersionIsRefused() throws {
        let lib = try cLibrary("""
        const char *flowrun_plugin_flowkit_version(void) { return "0.9.0"; }
        int flowrun_plugin_register(void *r) { return 0; }
        """)
        let (status, text) = try flowrun(["nodes", "--plugin", lib.path])
        XCTAssertEqual(status, 2)
        XCTAssertTrue(text.contains("was built with FlowKit 0.9.0, this flowrun runs FlowKit \(FlowKitABI.version); rebuild it"), text)
    }

    func testMissingEntryPointIsRefused() throws {
        let lib = try cLibrary("int unrelated(void) { return 1; }\n")
        let (status, text) = try flowrun(["nodes", "--plugin", lib.path])
        XCTAssertEqual(status, 2)
        XCTAssertTrue(text.contains("libbroken.so': is not a flowrun plugin: it exports no flowrun_plugin_flowkit_version"), text)
    }

    func testCorruptLibraryIsRefused() throws {
        let lib = Fixtures.temporaryDirectory().appendingPathComponent("libcorrupt.so")
        var bytes: [UInt8] = [0x7F, 0x45, 0x4C, 0x46]
        for i in 0..<4096 { bytes.append(UInt8(truncatingIfNeeded: i &* 2654435761 >> 7)) }
        try Data(bytes).write(to: lib)
        let (status, text) = try flowrun(["nodes", "--plugin", lib.path])
        XCTAssertEqual(status, 2)
        XCTAssertTrue(text.contains("libcorrupt.so': cannot be loaded as a shared library:"), text)

        let (missing, text2) = try flowrun(["nodes", "--plugin", "/nonexistent/libnothing.so"])
        XCTAssertEqual(missing, 2)
        XCTAssertTrue(text2.contains("'/nonexistent/libnothing.so': no such file"), text2)
    }

    func testGraphPluginErrorsPointAtTheGraph() throws {
        let graph = Fixtures.graph("""
        version: 1
        name: p
        plugins: [libmissing.so]
        nodes:
          count: { type: source.counter }
          sink: { type: sink.collect, inputs: { in: count.value } }
        """)
        let (status, text) = try flowrun(["validate", graph])
        XCTAssertEqual(status, 2)
        XCTAssertTrue(text.contains("graph.yaml:3:11: error: plugin '"), text)
        XCTAssertTrue(text.contains("libmissing.so': no such file"), text)
    }

    /// A plugin that registers a type someone else already has is refused, naming both.
    func testRegisteringAnExistingTypeIsRefused() throws {
        let lib = try exampleLibraryOrFail()
        let registry = NodeRegistry()
        try registry.register(Impostor.self, origin: "built-in")
        XCTAssertThrowsError(try PluginLoader(registry: registry).load(lib.path)) { error in
            XCTAssertEqual("\(error)", "plugin '\(lib.path)': node type 'frame.tint' from \(lib.standardizedFileURL.path) is already registered by built-in")
        }
    }

    func testScaffoldBuildsAndLoads() throws {
        let dir = Fixtures.temporaryDirectory()
        let (created, log) = try flowrun(["plugin", "new", "Stamp", "--path", dir.path])
        XCTAssertEqual(created, 0, log)
        let package = dir.appendingPathComponent("Stamp")
        let (built, buildLog) = try Self.shell(["swift", "build", "-c", "release"], cwd: package)
        XCTAssertEqual(built, 0, buildLog)
        let (ran, output) = try flowrun([package.appendingPathComponent("example.yaml").path], cwd: dir)
        XCTAssertEqual(ran, 0, output)
        XCTAssertTrue(output.contains("[show] 4: 4"), output)
        let (again, exists) = try flowrun(["plugin", "new", "Stamp", "--path", dir.path])
        XCTAssertEqual(again, 2)
        XCTAssertTrue(exists.contains("already exists"), exists)
    }

    func exampleLibraryOrFail() throws -> URL {
        do { return try Self.exampleLibrary() } catch { XCTFail("\(error)"); throw error }
    }
}

/// Claims the example plugin's type name first.
private final class Impostor: Node {
    static let contract = NodeContract(type: "frame.tint", summary: "not the real one")
    init(context: NodeContext) throws {}
}

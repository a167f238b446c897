import Foundation
import XCTest

/// scripts/needs-build, which lets scripts/flowrun say "building…" before a build instead of sitting
/// silent through it, and stay quiet when the binary is up to date. File times are set, not waited for.
final class NeedsBuildScriptTests: XCTestCase {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("scripts/needs-build").path

    let day: TimeInterval = 86_400
    var repo: URL!
    var binary: URL { repo.appendingPathComponent(".build/release/flowrun") }

    override func setUpWithError() throws {
        repo = Fixtures.temporaryDirectory()
        try file("Package.swift", age: 10)
        try file("Sources/flowrun/main.swift", age: 10)
    }

    /// Writes a file under the fake repository, last modified `age` days ago.
    func file(_ path: String, age: Double) throws {
        let url = repo.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        if !FileManager.default.fileExists(atPath: url.path) { try Data("x".utf8).write(to: url) }
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSince1970: 1_700_000_000 - age * day)], ofItemAtPath: url.path)
    }

    func needsBuild() throws -> (Bool, String) {
        let (status, output) = try PluginTests.shell(["bash", Self.script, binary.path, repo.path])
        return (status == 0, output.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    func testMissingBinaryNeedsABuild() throws {
        let (needed, why) = try needsBuild()
        XCTAssertTrue(needed)
        XCTAssertEqual(why, "no build yet")
    }

    func testUpToDateBinaryIsQuiet() throws {
        try file(".build/release/flowrun", age: 1)
        let (needed, why) = try needsBuild()
        XCTAssertFalse(needed)
        XCTAssertEqual(why, "")
    }

    func testChangedSourceNeedsABuild() throws {
        try file(".build/release/flowrun", age: 5)
        try file("Nodes/Utility/SinkCollectNode.swift", age: 1)
        let (needed, why) = try needsBuild()
        XCTAssertTrue(needed)
        XCTAssertEqual(why, "Nodes/Utility/SinkCollectNode.swift changed since the last build")
    }

    /// Build products and the example plugin's own package do not make flowrun stale.
    func testBuildFoldersAndTheExamplePluginAreNotSources() throws {
        try file(".build/release/flowrun", age: 5)
        try file("Nodes/ExamplePlugin/Sources/FrameTint/FrameTint.swift", age: 1)
        try file("Nodes/MyPlugin/.build/checkouts/Dep/Sources/Dep.swift", age: 1)
        XCTAssertFalse(try needsBuild().0)
    }
}

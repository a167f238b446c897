import Foundation
import XCTest
import FlowCore
import BuiltinNodes

/// Fuzz target for the graph loader and compiler, as SafetensorsFuzzTests is for the safetensors reader:
/// every graph in Graphs/ (with its subgraphs) and every bad-graph corpus file, mutated byte by byte and
/// structurally, with hostile params and `--set` values. A case must compile or fail with errors placed at
/// file:line:col (FuzzOracle), within 2 s, without crashing. Each finding becomes a corpus file.
///
/// The default run is short. For a long local run (the seed is printed first; a crash leaves its case in
/// the printed folder; FLOWRUN_FUZZ_CASE=N replays case N alone):
///     FLOWRUN_FUZZ_ITERATIONS=1000000 FLOWRUN_FUZZ_SEED=7 swift test --filter GraphFuzzTests
final class GraphFuzzTests: XCTestCase {
    var environment: [String: String] { ProcessInfo.processInfo.environment }
    var iterations: Int { Int(environment["FLOWRUN_FUZZ_ITERATIONS"] ?? "") ?? 300 }
    var seed: UInt64 { UInt64(environment["FLOWRUN_FUZZ_SEED"] ?? "") ?? 0x6EAF }
    var onlyCase: Int? { Int(environment["FLOWRUN_FUZZ_CASE"] ?? "") }
    /// Distinct problems reported before the run stops failing the test for more of them.
    let reportLimit = 20

    static var repoRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
    }

    func testMutatedGraphsCompileOrGiveLocatedErrors() throws {
        BuiltinNodes.register()
        let workspace = try FuzzWorkspace(repo: Self.repoRoot, corpus: Fixtures.root.appendingPathComponent("bad"))
        let cases = onlyCase.map { $0..<($0 + 1) } ?? 0..<iterations
        // Unbuffered, so the seed is in the log even when a case crashes the process.
        FileHandle.standardError.write(Data("graph fuzz: seed \(seed), cases \(cases.lowerBound)..<\(cases.upperBound), in \(workspace.root.path) (a crash leaves its case in case.txt and Graphs/fuzz-case.yaml there)\n".utf8))
        let watchdog = Watchdog(limit: .seconds(2))
        var seen = Set<String>()
        var compiled = 0
        for index in cases {
            var rng = SplitMix64(seed: seed ^ (UInt64(index) &* 0xD1B54A32D192ED03))
            let fuzzCase = FuzzCase.make(index, from: workspace, &rng)
            try workspace.write(fuzzCase)
            let file = workspace.caseFile.path, overrides = fuzzCase.overrides
            guard let report = watchdog.run({ FuzzOracle.check(file: file, overrides: overrides) }) else {
                let kept = workspace.keep(fuzzCase)
                return XCTFail("case \(index) ran over 2 s (a hang); FLOWRUN_FUZZ_SEED=\(seed) FLOWRUN_FUZZ_CASE=\(index) replays it; kept in \(kept.path)")
            }
            try workspace.restore(fuzzCase)
            if report.compiled { compiled += 1 }
            for problem in report.problems where seen.insert(Self.kind(of: problem)).inserted && seen.count <= reportLimit {
                let kept = workspace.keep(fuzzCase)
                XCTFail("case \(index): \(problem)\n  FLOWRUN_FUZZ_SEED=\(seed) FLOWRUN_FUZZ_CASE=\(index) replays it; kept in \(kept.path)\n  \(fuzzCase.describe())")
            }
        }
        print("graph fuzz: \(cases.count) cases, \(compiled) compiled, \(seen.count) distinct problems")
        // Kept when something was found: the findings folder holds the cases.
        if seen.isEmpty { try? FileManager.default.removeItem(at: workspace.root) }
        XCTAssertLessThan(compiled, cases.count, "mutations should be refused sometimes")
    }

    /// A problem without its numbers and quoted parts, so one bug is reported once, not once per case.
    static func kind(of problem: String) -> String {
        let unquoted = problem.replacingOccurrences(of: "'[^']*'", with: "'…'", options: .regularExpression)
        return unquoted.replacingOccurrences(of: "[0-9]+", with: "N", options: .regularExpression)
    }
}

import Foundation
import XCTest
import FlowKit
import FlowCore
import BuiltinNodes

/// On the shipped (trained) world-tiny only: Graphs/longlive.yaml with its red-circle prompt makes a
/// video in which Training/analyzer.py finds a red object on a dark blue background. Skipped while
/// Models/world-tiny or text.encoder is not there yet, or while the exported model does not pass the
/// same bar with the reference torch sampler (then the model, not flowrun, is what falls short).
final class TrainedModelColourTests: XCTestCase {
    static let analyzerScript = """
    import sys, numpy as np
    sys.path.insert(0, sys.argv[1] + '/Training')
    import analyzer
    raw = np.fromfile(sys.argv[2], np.uint8).reshape(-1, 64, 64, 3)
    judged = raw[12:]                      # the analyzer skips the first block of a segment too
    hits = [('red' in f['objs']) and f['bg'] == 'dark blue' for f in map(analyzer.analyze_frame, judged)]
    print(len(raw), sum(hits), len(hits))
    """

    func testLongLiveRedCirclePassesTheAnalyzerColourTest() throws {
        let root = GraphEndToEndTests.repoRoot
        let config = root.appendingPathComponent("Models/world-tiny/config.json")
        guard let data = try? Data(contentsOf: config),
              let json = try JSONSerialization.jsonObject(with: data) as? [String: Any],
              let den = json["denoiser"] as? [String: Any], den["missing"] as? Bool != true else {
            throw XCTSkip("Models/world-tiny has no trained denoiser yet")
        }
        // The check is about flowrun reproducing what the model can do. Training/ measures the exported
        // model on many scripts (eval.json: v1 with its torch sampler, v2 through flowrun); while that
        // measurement does not reach the colour bar, the model is not trained far enough for this check.
        let eval = root.appendingPathComponent("Models/world-tiny/eval.json")
        let measured = (try? JSONSerialization.jsonObject(with: Data(contentsOf: eval)) as? [String: Any])
            .flatMap { ($0["10s_train"] as? [String: Any])?["single"] as? [String: Any] }?["colour"] as? Double
        guard let measured, measured >= 0.8 else {
            throw XCTSkip("the exported world-tiny reaches colour \(measured.map { String($0) } ?? "?") in its measurement (Models/world-tiny/eval.json, 10s_train.single.colour); this end-to-end check applies once it reaches 0.8")
        }
        BuiltinNodes.register()
        guard NodeRegistry.shared.lookup("text.encoder") != nil else { throw XCTSkip("text.encoder is not registered") }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("longlive-colour-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let result = GraphCompiler(cores: 2).compile(file: root.appendingPathComponent("Graphs/longlive.yaml").path,
                                                     overrides: ["frames=48", "out=\(dir.path)/out.mp4",
                                                                 "model=\(root.path)/Models/world-tiny"])
        guard let graph = result.graph else { return XCTFail(result.renderer.render(result.diagnostics)) }
        guard case .completed = try GraphRun(graph: graph).run() else { return XCTFail("run failed") }
        let raw = dir.appendingPathComponent("frames.rgb")
        try runTool("/usr/bin/ffmpeg", ["-v", "error", "-i", dir.appendingPathComponent("out.mp4").path,
                                        "-f", "rawvideo", "-pix_fmt", "rgb24", raw.path])
        let out = try runTool("/usr/bin/env", ["python3", "-c", Self.analyzerScript, root.path, raw.path])
        print("analyzer on the generated clip (frames, red-on-dark-blue frames, judged frames): \(out)")
        let numbers = out.split(separator: " ").compactMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        XCTAssertEqual(numbers.count, 3, out)
        guard numbers.count == 3 else { return }
        XCTAssertEqual(numbers[0], 48, "frame count")
        XCTAssertGreaterThanOrEqual(Double(numbers[1]), 0.8 * Double(numbers[2]), "frames with a red object on dark blue")
    }

    @discardableResult
    func runTool(_ path: String, _ args: [String]) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = args
        let pipe = Pipe()
        p.standardOutput = pipe
        try p.run()
        let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0, "\(path) \(args.prefix(2))")
        return out
    }
}

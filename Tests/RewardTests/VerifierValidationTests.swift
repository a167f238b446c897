import Foundation
import XCTest
import FlowKit
import FlowTestSupport
@testable import RewardNodes

/// How `reward.verifier` judges world.py's truth on analyzer.py's validation scripts (seeds 5,000,000 and up, with
/// prompt switches), and how far it drops against another script's prompts. A measurement, skipped unless
/// VERIFIER_VALIDATION names the data (a few minutes in a debug build for 50 scripts of 96 frames):
///
///     python3 Training/make_verifier_fixtures.py --validation 50 --frames 96 --out /tmp/verifier_validation
///     VERIFIER_VALIDATION=/tmp/verifier_validation swift test --filter VerifierValidationTests
final class VerifierValidationTests: XCTestCase {
    private struct Script {
        let frames: Int
        let rgb: [UInt8]
        /// (first frame, truth, prompt by vocabulary) per segment.
        let segments: [(start: Int, truth: ExpectedScene, prompts: [String: String])]

        func segment(at frame: Int) -> Int { segments.lastIndex { $0.start <= frame } ?? 0 }
    }

    func testTruthOfTheValidationScripts() throws {
        guard let dir = ProcessInfo.processInfo.environment["VERIFIER_VALIDATION"] else {
            throw XCTSkip("set VERIFIER_VALIDATION to a folder made by Training/make_verifier_fixtures.py --validation N")
        }
        let scripts = try load(URL(fileURLWithPath: dir))
        let modelDir = try verifierModelFolder(self)
        var lines: [String] = []
        var means: [String: Double] = [:]
        for (label, vocab, crossed) in [("own prompts, train", "train", false), ("own prompts, extra", "extra", false),
                                        ("next script's prompts, train", "train", true)] {
            var tally = AttributeTally(), windows = 0, perfect = 0, sum = 0.0
            for (i, script) in scripts.enumerated() {
                let promptsFrom = crossed ? scripts[(i + 1) % scripts.count] : script
                let h = try NodeHarness(RewardVerifierNode.self, params: ["model": .string(modelDir)])
                for (g, _) in script.segments.enumerated() {
                    let other = promptsFrom.segments[min(g, promptsFrom.segments.count - 1)]
                    try h.feed("text", position: g, TextStubNode.embedding(Prompt(text: other.prompts[vocab]!, startFrame: script.segments[g].start, generation: g)))
                }
                for (k, first) in stride(from: 0, to: script.frames, by: 12).enumerated() {
                    let bytes = 64 * 64 * 3
                    try h.feed("frames", position: k, FrameBatch(width: 64, height: 64, firstFrame: first, fps: 16,
                                                                 rgb: Array(script.rgb[(first * bytes)..<((first + 12) * bytes)]),
                                                                 promptGeneration: script.segment(at: first)))
                }
                for s in try h.payloads("scores", as: RewardScores.self) {
                    windows += s.windowCount
                    perfect += s.probabilities.filter { $0 > 0.985 }.count
                    sum += s.probabilities.reduce(0.0) { $0 + Double($1) }
                }
                tally += h.node.tally
                try h.finishClean()
            }
            means[label] = sum / Double(windows)
            lines.append(String(format: "%@: %d windows, mean p' %.3f, all attributes seen in %.1f%%; ", label, windows,
                                sum / Double(windows), 100 * Double(perfect) / Double(windows)) + tally.summary)
        }
        lines.append("motion judged on blocks of the truth, expected -> seen (misses only): " + motionMisses(scripts))
        print("reward.verifier on \(scripts.count) analyzer-validation scripts:\n  " + lines.joined(separator: "\n  "))
        XCTAssertGreaterThan(means["own prompts, train"]!, means["next script's prompts, train"]! + 0.3)
    }

    /// Which expected motions the block-wise judge gets wrong on the truth, counted.
    private func motionMisses(_ scripts: [Script]) -> String {
        let analyzer = FrameAnalyzer(width: 64, height: 64), judge = MotionJudge(width: 64, height: 64)
        var misses: [String: Int] = [:], blocks = 0
        for script in scripts {
            let frames = (0..<script.frames).map { f in analyzer.analyze(script.rgb[(f * 12288)..<((f + 1) * 12288)]) }
            for first in stride(from: 0, to: script.frames, by: 12) {
                let g = script.segment(at: first), start = script.segments[g].start
                for object in script.segments[g].truth.objects {
                    guard let expected = object.motion, let colour = object.colour else { continue }
                    let seen = judge.motion(of: colour, in: Array(frames[first..<(first + 12)]))
                    blocks += 1
                    if let seen, SceneChecks.accepted(expected, firstOffset: first - start, lastOffset: first + 11 - start).contains(seen) { continue }
                    misses["\(expected.rawValue) -> \(seen?.rawValue ?? "not tracked")", default: 0] += 1
                }
            }
        }
        return "\(misses.values.reduce(0, +)) of \(blocks): "
            + misses.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
    }

    private func load(_ dir: URL) throws -> [Script] {
        let doc = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("verifier_validation.json"))) as? [String: Any])
        let runs = try [UInt8](Data(contentsOf: dir.appendingPathComponent(try XCTUnwrap(doc["frames_file"] as? String))))
        return try XCTUnwrap(doc["clips"] as? [[String: Any]]).map { c in
            let frames = try XCTUnwrap(c["frames"] as? Int)
            let segments = try XCTUnwrap(c["segments"] as? [[String: Any]]).map { s in
                (start: try XCTUnwrap(s["start"] as? Int), truth: try VerifierFixture.scene(try XCTUnwrap(s["truth"] as? [String: Any])),
                 prompts: try XCTUnwrap(s["prompts"] as? [String: String]))
            }
            return Script(frames: frames, rgb: try VerifierFixture.decodeRuns(runs, from: try XCTUnwrap(c["offset"] as? Int), frames: frames, pixels: 4096),
                          segments: segments)
        }
    }
}

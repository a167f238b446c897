import Foundation
import XCTest
@testable import TextEncoderNodes

/// Token ids must be identical to HuggingFace `tokenizers` (Training/make_tokenizer_fixtures.py).
final class TokenizerParityTests: XCTestCase {
    func testIdsMatchHuggingFaceOnEveryFixtureString() throws {
        let tokenizer = try InstalledModel.get().tokenizer
        let doc = try Fixtures.json("tokenizer_cases.json")
        XCTAssertEqual(doc["max_tokens"] as? Int, tokenizer.maxTokens)
        let cases = try XCTUnwrap(doc["cases"] as? [[String: Any]])
        XCTAssertGreaterThanOrEqual(cases.count, 500)
        var mismatches = 0
        for item in cases {
            let text = try XCTUnwrap(item["text"] as? String)
            let expected = try XCTUnwrap(item["ids"] as? [Int]).map(Int32.init)
            let got = tokenizer.encode(text)
            if got.ids != expected {
                mismatches += 1
                if mismatches <= 10 {
                    XCTFail("\(text.debugDescription.prefix(120)): expected \(expected.prefix(24)), got \(got.ids.prefix(24))")
                }
            }
            XCTAssertEqual(got.attentionMask, Array(repeating: 1, count: got.ids.count))
            XCTAssertLessThanOrEqual(got.ids.count, 256)
            XCTAssertEqual(got.ids.first, 101)
            XCTAssertEqual(got.ids.last, 102)
        }
        XCTAssertEqual(mismatches, 0, "\(mismatches) of \(cases.count) strings tokenized differently")
    }

    func testFixturesCoverTheRequiredKindsOfInput() throws {
        let cases = try XCTUnwrap(try Fixtures.json("tokenizer_cases.json")["cases"] as? [[String: Any]])
        let texts = cases.compactMap { $0["text"] as? String }
        XCTAssertTrue(texts.contains(""))
        XCTAssertTrue(texts.contains { !$0.isEmpty && $0.unicodeScalars.allSatisfy(\.properties.isWhitespace) })
        XCTAssertTrue(texts.contains { $0.unicodeScalars.contains { $0.properties.generalCategory == .control && $0 != "\n" } })
        XCTAssertTrue(texts.contains { $0.unicodeScalars.contains { (0x4E00...0x9FFF).contains($0.value) } })
        XCTAssertTrue(texts.contains { $0.unicodeScalars.contains { $0.properties.isEmojiPresentation } })
        XCTAssertTrue(texts.contains { $0.unicodeScalars.contains { (0x300...0x36F).contains($0.value) } || $0.contains("é") })
        XCTAssertTrue(texts.contains { $0.unicodeScalars.count >= 10_000 })
    }

    /// The exhaustive check over all 1.1 million scalars; the file is too big to commit, so it runs
    /// when TEXT_ENCODER_ALL_CODEPOINTS names one made by `make_tokenizer_fixtures.py --all-code-points`.
    func testEveryUnicodeScalarWhenTheExhaustiveFileIsGiven() throws {
        guard let path = ProcessInfo.processInfo.environment["TEXT_ENCODER_ALL_CODEPOINTS"] else {
            throw XCTSkip("set TEXT_ENCODER_ALL_CODEPOINTS to run the exhaustive check")
        }
        let tokenizer = try InstalledModel.get().tokenizer
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var checked = 0, wrong: [String] = []
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ")
            let scalar = try XCTUnwrap(UInt32(fields[0], radix: 16).flatMap(Unicode.Scalar.init))
            var probe = "a"
            probe.unicodeScalars.append(scalar); probe += "b c"
            probe.unicodeScalars.append(scalar); probe += "\u{301} "
            probe.unicodeScalars.append(scalar); probe.unicodeScalars.append(scalar)
            if tokenizer.encode(probe).ids != fields.dropFirst().map({ Int32($0)! }) { wrong.append(String(fields[0])) }
            checked += 1
        }
        XCTAssertEqual(checked, 1_112_064)
        XCTAssertEqual(wrong.count, 0, "scalars tokenized differently: \(wrong.prefix(20))")
    }
}

import Foundation
import XCTest
@testable import TextEncoderNodes

/// The rules of the tokenizer one at a time, on a vocabulary small enough to reason about.
final class TokenizerBehaviourTests: XCTestCase {
    private func tinyTokenizer(maxTokens: Int = 256) throws -> BertTokenizer {
        let tokens = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "red", "circle", "un", "##aff", "##able",
                      "!", ",", "cafe", "中", "a", "##a", "##b", "b"]
        return BertTokenizer(vocabulary: try WordPieceVocabulary(tokens: tokens), maxTokens: maxTokens)
    }

    func testGreedyLongestMatchWithContinuationPieces() throws {
        let t = try tinyTokenizer()
        XCTAssertEqual(t.encode("unaffable").ids, [2, 7, 8, 9, 3])
        // No piece covers "unx": the whole word becomes one [UNK], not "un" + [UNK].
        XCTAssertEqual(t.encode("unx red").ids, [2, 1, 5, 3])
    }

    func testLowercasesStripsAccentsAndSplitsPunctuationAndCJK() throws {
        let t = try tinyTokenizer()
        XCTAssertEqual(t.encode("RED,Circle!").ids, [2, 5, 11, 6, 10, 3])
        XCTAssertEqual(t.encode("Café").ids, [2, 12, 3])
        XCTAssertEqual(t.encode("Cafe\u{301}").ids, [2, 12, 3])
        XCTAssertEqual(t.encode("red中circle").ids, [2, 5, 13, 6, 3])
    }

    func testWhitespaceAndControlOnlyTextIsEmpty() throws {
        let t = try tinyTokenizer()
        for text in ["", "   ", "\t\n\r", "\u{0}\u{1}\u{7f}", "\u{200b}\u{feff}", "\u{a0}\u{3000}"] {
            let tokens = t.encode(text)
            XCTAssertEqual(tokens.ids, [2, 3], text.debugDescription)
            XCTAssertTrue(tokens.isEmpty, text.debugDescription)
        }
        XCTAssertFalse(t.encode("red").isEmpty)
    }

    func testWordsLongerThan100ScalarsAreUnknown() throws {
        let t = try tinyTokenizer()
        XCTAssertEqual(t.encode(String(repeating: "a", count: 100)).ids.count, 2 + 100)
        XCTAssertEqual(t.encode(String(repeating: "a", count: 101)).ids, [2, 1, 3])
    }

    func testSpecialTokensInTheTextAreMatchedLiterallyAndCaseSensitively() throws {
        let t = try tinyTokenizer()
        XCTAssertEqual(t.encode("red [MASK] circle").ids, [2, 5, 4, 6, 3])
        XCTAssertEqual(t.encode("red[SEP]").ids, [2, 5, 3, 3])
        XCTAssertEqual(t.encode("[mask]").ids, [2, 1, 1, 1, 3]) // "[", "mask" (unknown), "]"
    }

    func testTruncationKeepsClsAndSepAndReportsIt() throws {
        let t = try tinyTokenizer(maxTokens: 8)
        let short = t.encode("red red red red red red")
        XCTAssertEqual(short.ids.count, 8)
        XCTAssertFalse(short.truncated)
        let long = t.encode("red red red red red red red")
        XCTAssertEqual(long.ids, [2, 5, 5, 5, 5, 5, 5, 3])
        XCTAssertTrue(long.truncated)
    }

    func testHundredKilobytePromptIsTruncatedTo256Tokens() throws {
        let t = try InstalledModel.get().tokenizer
        let prompt = String(repeating: "a red circle drifts right ", count: 4_000)
        XCTAssertGreaterThanOrEqual(prompt.utf8.count, 100_000)
        let tokens = t.encode(prompt)
        XCTAssertEqual(tokens.ids.count, 256)
        XCTAssertTrue(tokens.truncated)
        XCTAssertEqual(tokens.ids.last, 102)
    }

    func testVocabularyOfTheWrongSizeIsRejectedWithTheReason() throws {
        XCTAssertThrowsError(try WordPieceVocabulary(tokens: ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"], expectedSize: 30522)) { error in
            XCTAssertTrue("\(error)".contains("has 5 tokens but the model expects 30522"), "\(error)")
        }
        XCTAssertThrowsError(try WordPieceVocabulary(tokens: ["[PAD]", "[CLS]", "[SEP]", "[MASK]"])) { error in
            XCTAssertTrue("\(error)".contains("[UNK]"), "\(error)")
        }
    }

    func testVocabularyFileThatIsNotUTF8IsRejected() throws {
        let folder = try temporaryFolder(self)
        let path = folder + "/vocab.txt"
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data([0x5B, 0x50, 0xFF, 0x0A])))
        XCTAssertThrowsError(try WordPieceVocabulary(contentsOf: path)) { error in
            XCTAssertTrue("\(error)".contains("not valid UTF-8"), "\(error)")
        }
        XCTAssertThrowsError(try WordPieceVocabulary(contentsOf: folder + "/missing.txt")) { error in
            XCTAssertTrue("\(error)".contains("cannot read"), "\(error)")
        }
    }

    func testInvalidUTF8IsReportedWithItsOffset() throws {
        XCTAssertEqual(try UTF8Text.decode(Array("héllo".utf8)), "héllo")
        XCTAssertThrowsError(try UTF8Text.decode([0x61, 0x62, 0xFF, 0x63])) { error in
            let e = error as? UTF8Text.InvalidUTF8
            XCTAssertEqual(e?.offset, 2)
            XCTAssertEqual(e?.byte, 0xFF)
            XCTAssertTrue("\(error)".contains("not valid UTF-8"), "\(error)")
        }
        // A truncated multi-byte sequence at the end, and a lone continuation byte.
        XCTAssertThrowsError(try UTF8Text.decode([0x61, 0xC3]))
        XCTAssertThrowsError(try UTF8Text.decode([0x80]))
    }
}

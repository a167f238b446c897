import XCTest
@testable import TextEncoderNodes

final class TextSimilarityTests: XCTestCase {
    func testReportListsTextsAndASymmetricMatrixWithOnesOnTheDiagonal() throws {
        let texts = ["a red circle", "a crimson disc", "the stock market fell sharply"]
        let report = try TextSimilarity.report(texts)
        for t in texts { XCTAssertTrue(report.contains(t), report) }
        let rows = report.split(separator: "\n").suffix(3)
        XCTAssertEqual(rows.count, 3)
        let values = rows.map { $0.split(separator: " ").suffix(3).compactMap { Double($0) } }
        XCTAssertEqual(values.map(\.count), [3, 3, 3], report)
        for i in 0..<3 {
            XCTAssertEqual(values[i][i], 1, accuracy: 0.0011)
            for j in 0..<3 { XCTAssertEqual(values[i][j], values[j][i]) }
        }
        XCTAssertGreaterThan(values[0][1], values[0][2] + 0.2, report)
    }

    func testEmptyInputsAreClearErrors() {
        XCTAssertThrowsError(try TextSimilarity.report([])) { XCTAssertTrue("\($0)".contains("at least one text"), "\($0)") }
        XCTAssertThrowsError(try TextSimilarity.report(["a red circle", " "])) { error in
            XCTAssertTrue("\(error)".contains("text 2"), "\(error)")
            XCTAssertTrue("\(error)".contains("empty"), "\(error)")
        }
    }

    func testThreeDecimalFormatting() {
        XCTAssertEqual(TextSimilarity.fixed3(1), "1.000")
        XCTAssertEqual(TextSimilarity.fixed3(0.81234), "0.812")
        XCTAssertEqual(TextSimilarity.fixed3(-0.0456), "-0.046")
        XCTAssertEqual(TextSimilarity.fixed3(0.0004), "0.000")
    }
}

extension TextSimilarityTests {
    func testRawArgumentBytesThatAreNotUTF8AreNamed() throws {
        XCTAssertThrowsError(try TextSimilarity.report(utf8Texts: [Array("a red circle".utf8), [0x62, 0xFE]])) { error in
            XCTAssertTrue("\(error)".contains("text 2"), "\(error)")
            XCTAssertTrue("\(error)".contains("offset 1"), "\(error)")
        }
        let report = try TextSimilarity.report(utf8Texts: [Array("a red circle".utf8), Array("un cercle rouge".utf8)])
        XCTAssertTrue(report.contains("un cercle rouge"), report)
    }
}

import XCTest
import FlowKit

/// Prompts quoted in log lines stay short and on one line.
final class LogTextTests: XCTestCase {
    func testShortTextIsLoggedWhole() {
        XCTAssertEqual(LogText.shortened("a red circle"), "a red circle")
        XCTAssertEqual(LogText.shortened(""), "")
        let exactly = String(repeating: "x", count: LogText.defaultLimit)
        XCTAssertEqual(LogText.shortened(exactly), exactly)
    }

    func testLongPromptKeepsItsStartAndSaysHowLongItWas() {
        let prompt = String(repeating: "a large red circle moves right ", count: 200).prefix(5000)
        XCTAssertEqual(prompt.count, 5000)
        let logged = LogText.shortened(String(prompt))
        XCTAssertEqual(logged, "a large red circle moves right a large red circle moves right a large red circle… (5000 characters)")
        XCTAssertLessThan(logged.count, 110)
    }

    func testLineBreaksAndControlCharactersBecomeSpaces() {
        XCTAssertEqual(LogText.shortened("first line\nsecond\tline\r\nthird\u{7}"), "first line second line third ")
    }

    /// Characters, not bytes or scalars: an emoji or an accent is never cut in half.
    func testShorteningCountsCharacters() {
        let flags = String(repeating: "🇫🇷e\u{301}", count: 50)
        XCTAssertEqual(LogText.shortened(flags, limit: 3), "🇫🇷e\u{301}🇫🇷… (100 characters)")
    }
}

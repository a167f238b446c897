@testable import FlowPreview
import XCTest

/// The preview's rules that need no network: addresses, Host/Origin checks, prompt messages.
final class PreviewPolicyTests: XCTestCase {
    func testAddresses() throws {
        XCTAssertEqual(try ServeAddress.parse(nil), ServeAddress(host: "127.0.0.1", port: 0))
        XCTAssertEqual(try ServeAddress.parse("8080"), ServeAddress(host: "127.0.0.1", port: 8080))
        XCTAssertEqual(try ServeAddress.parse(":9"), ServeAddress(host: "127.0.0.1", port: 9))
        XCTAssertEqual(try ServeAddress.parse("[::1]:80"), ServeAddress(host: "::1", port: 80))
        XCTAssertTrue(try ServeAddress.parse("localhost:1").isLoopback)
        XCTAssertFalse(try ServeAddress.parse("0.0.0.0:8080").isLoopback)
        XCTAssertThrowsError(try ServeAddress.parse("127.0.0.1:99999"))
        XCTAssertThrowsError(try ServeAddress.parse("[::1"))
    }

    func testHostAndOrigin() {
        let loopback = RequestPolicy(loopbackOnly: true)
        XCTAssertTrue(loopback.allows(host: "127.0.0.1:8080"))
        XCTAssertTrue(loopback.allows(host: "localhost:8080"))
        XCTAssertTrue(loopback.allows(host: "[::1]:8080"))
        XCTAssertFalse(loopback.allows(host: "evil.example:8080"), "a DNS-rebound name")
        XCTAssertFalse(loopback.allows(host: nil))
        XCTAssertTrue(loopback.allowsWebSocket(host: "127.0.0.1:8080", origin: "http://127.0.0.1:8080"))
        XCTAssertTrue(loopback.allowsWebSocket(host: "127.0.0.1:8080", origin: nil), "not a browser")
        XCTAssertFalse(loopback.allowsWebSocket(host: "127.0.0.1:8080", origin: "http://evil.example"))
        XCTAssertFalse(loopback.allowsWebSocket(host: "127.0.0.1:8080", origin: "http://127.0.0.1:9999"))
        XCTAssertTrue(RequestPolicy(loopbackOnly: false).allows(host: "box.lan:8080"))
    }

    func testPromptMessages() {
        var gate = PromptGate(minInterval: 1.0)
        XCTAssertEqual(gate.check(#"{"type":"prompt","text":"  a red circle  "}"#, now: 10), .prompt("a red circle"))
        XCTAssertEqual(gate.check(#"{"type":"prompt","text":"a blue square"}"#, now: 10.5), .rejected("too many prompts: one per 1.0 s"))
        XCTAssertEqual(gate.check(#"{"type":"prompt","text":"a blue square"}"#, now: 11.2), .prompt("a blue square"))
        for bad in ["nope", "[]", #"{"text":"x"}"#, #"{"type":"quit"}"#, #"{"type":"prompt","text":3}"#,
                    #"{"type":"prompt","text":""}"#, #"{"type":"prompt","text":"a\u0007b"}"#,
                    #"{"type":"prompt","text":""# + String(repeating: "x", count: PromptGate.maxLength + 1) + #""}"#] {
            guard case .rejected = gate.check(bad, now: 100) else { return XCTFail("accepted \(bad)") }
        }
    }
}

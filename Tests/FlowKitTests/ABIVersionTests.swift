import Foundation
import XCTest
import FlowKit

/// Plugins are compiled against FlowKit's public payloads; one whose layout changed under them would misread
/// every packet. So a layout change must come with a new FlowKitABI.version (the host refuses plugins of
/// another major.minor), and this test holds the layouts the current version was released with.
final class ABIVersionTests: XCTestCase {
    static var fixture: URL { Bundle.module.resourceURL!.appendingPathComponent("Fixtures/payload-layouts.json") }
    /// Where `FLOWRUN_RECORD_LAYOUTS=1` writes the new record (the source tree, not the test bundle).
    static let sourceFixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/payload-layouts.json")

    struct Record: Codable, Equatable {
        var abi: String
        var layouts: [String: String]
    }

    func testPublicPayloadLayoutsMatchTheRecordOfThisABIVersion() throws {
        let current = Record(abi: FlowKitABI.version, layouts: PayloadLayout.all)
        if ProcessInfo.processInfo.environment["FLOWRUN_RECORD_LAYOUTS"] == "1" {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(current).write(to: Self.sourceFixture)
            return
        }
        let recorded = try JSONDecoder().decode(Record.self, from: Data(contentsOf: Self.fixture))
        let changed = current.layouts.keys.sorted().filter { current.layouts[$0] != recorded.layouts[$0] }
            + recorded.layouts.keys.sorted().filter { current.layouts[$0] == nil }
        if recorded.abi == current.abi {
            XCTAssertEqual(changed, [], """
                public payloads changed layout without an ABI bump: \(changed.joined(separator: ", ")).
                Bump FlowKitABI.version (and builtAgainst) in FlowKit/Sources/FlowKit/FlowKit.swift, then record the new
                layouts: FLOWRUN_RECORD_LAYOUTS=1 swift test --filter ABIVersionTests
                \(changed.map { "now:    \(current.layouts[$0] ?? "(removed)")\nbefore: \(recorded.layouts[$0] ?? "(new)")" }.joined(separator: "\n"))
                """)
        } else {
            XCTFail("FlowKitABI.version is \(current.abi) but the layouts were recorded for \(recorded.abi); record them: FLOWRUN_RECORD_LAYOUTS=1 swift test --filter ABIVersionTests")
        }
    }

    func testTheVersionAPluginReportsIsTheLibrarysVersion() {
        XCTAssertEqual("\(FlowKitABI.builtAgainst)", FlowKitABI.version)
    }

    /// The layout description sees a change a plugin would trip over: a field added to a payload.
    func testTheLayoutDescriptionSeesAnAddedField() {
        struct Before { var a: Int }
        struct After { var a: Int; var b: Int? }
        XCTAssertNotEqual(PayloadLayout.describe(Before(a: 1)).drop { $0 != "{" },
                          PayloadLayout.describe(After(a: 1, b: nil)).drop { $0 != "{" })
    }
}

import Foundation
import XCTest
import FlowKit
import FlowTestSupport
@testable import TextEncoderNodes

/// This target's committed fixtures.
enum Fixtures {
    static let folder = FixtureFolder(bundle: .module, origin: "see Tests/TextEncoderTests/Fixtures/README.md")
    static func url(_ name: String) throws -> URL { try folder.url(name) }
    static func json(_ name: String) throws -> [String: Any] { try folder.json(name) }
}

/// The installed model, loaded once for the whole test run (it is immutable).
enum InstalledModel {
    private static let loaded: Result<TextEncoderModel, any Error> = Result { try TextEncoderModel.locateAndLoad() }

    /// The model, or a failure that says how to install it.
    static func get() throws -> TextEncoderModel { try loaded.get() }
    static func folder() throws -> String { try get().folder }
}

/// A temporary folder removed at the end of the test.
func temporaryFolder(_ test: XCTestCase) throws -> String {
    try test.makeTemporaryFolder(prefix: "text-encoder-tests").path
}

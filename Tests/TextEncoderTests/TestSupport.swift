import Foundation
import XCTest
import FlowKit
@testable import TextEncoderNodes

/// Paths of committed fixtures.
enum Fixtures {
    static func url(_ name: String) throws -> URL {
        try XCTUnwrap(Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures"),
                      "fixture \(name) missing; see Tests/TextEncoderTests/Fixtures/README.md")
    }

    static func json(_ name: String) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: try Data(contentsOf: try url(name)))
        return try XCTUnwrap(object as? [String: Any])
    }
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
    let path = NSTemporaryDirectory() + "text-encoder-tests-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
    return path
}

/// Cosine similarity and largest absolute difference of two vectors.
func compare(_ a: [Float], _ b: [Float]) -> (cosine: Double, maxAbs: Float) {
    precondition(a.count == b.count)
    var dot = 0.0, na = 0.0, nb = 0.0
    var worst: Float = 0
    for i in a.indices {
        dot += Double(a[i]) * Double(b[i])
        na += Double(a[i]) * Double(a[i])
        nb += Double(b[i]) * Double(b[i])
        worst = max(worst, abs(a[i] - b[i]))
    }
    return (dot / max((na * nb).squareRoot(), 1e-30), worst)
}

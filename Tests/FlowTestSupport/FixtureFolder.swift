import Foundation
import XCTest
import FlowKit

/// The `Fixtures` folder SwiftPM copied into a test target's bundle (`resources: [.copy("Fixtures")]`).
/// `Bundle.module` exists once per target, so each target passes its own.
public struct FixtureFolder: Sendable {
    public let url: URL
    /// Said when a fixture is missing: how to make it.
    public let origin: String

    public init(bundle: Bundle, subdirectory: String = "Fixtures", origin: String) {
        url = (bundle.resourceURL ?? bundle.bundleURL).appendingPathComponent(subdirectory)
        self.origin = origin
    }

    public var path: String { url.path }

    /// The file `name` (with its extension; may contain folders), which must exist.
    public func url(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws -> URL {
        let candidate = url.appendingPathComponent(name)
        return try XCTUnwrap(FileManager.default.fileExists(atPath: candidate.path) ? candidate : nil,
                             "fixture \(name) missing from \(path); \(origin)", file: file, line: line)
    }

    public func path(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws -> String {
        try url(name, file: file, line: line).path
    }

    /// `name.safetensors`, memory-mapped.
    public func safetensors(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws -> SafetensorsFile {
        try SafetensorsFile(path: path(name + ".safetensors", file: file, line: line))
    }

    /// A JSON object file.
    public func json(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: try Data(contentsOf: try url(name, file: file, line: line)))
        return try XCTUnwrap(object as? [String: Any], "\(name) is not a JSON object", file: file, line: line)
    }
}

extension SafetensorsFile {
    /// A tensor widened to f32 and made contiguous, the form the numeric checks compare.
    public func f32(_ name: String) throws -> Tensor { try floatTensor(name).contiguous() }
}

/// The repository this file was compiled from, for the shipped model and its fixtures
/// (Models/, Tests/ModelFixtures/) that are not copied into any bundle.
public enum Repository {
    public static var root: URL {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url
    }
}

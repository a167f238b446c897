import Foundation
import XCTest
import FlowKit
// Re-exported to every file of this target: the VAE, cache and denoiser tests use its
// maxAbsDifference and maxAbs without importing it themselves.
@_exported import FlowTestSupport

/// The LongLive fixtures (Training/make_longlive_fixtures.py): a small random world-tiny and
/// reference.py outputs computed from it in float64.
enum Fixtures {
    static let folder = FixtureFolder(bundle: .module, origin: "run Training/make_longlive_fixtures.py")
    static var directory: String { folder.path }
    static var modelFolder: String { directory + "/model" }

    static func file(_ name: String) throws -> SafetensorsFile { try folder.safetensors(name) }

    static func tensor(_ file: SafetensorsFile, _ name: String) throws -> Tensor { try file.f32(name) }
}

import Foundation
import FlowKit

/// The LongLive fixtures (Training/make_longlive_fixtures.py): small random world-tiny models and reference.py
/// outputs computed from them in float64. Shared by the denoiser, VAE, cache and graph test targets.
public enum LongLiveFixtures {
    public static let folder = FixtureFolder(bundle: .module, subdirectory: "LongLiveFixtures",
                                             origin: "run Training/make_longlive_fixtures.py")
    public static var directory: String { folder.path }
    /// A random world-tiny export (config.json + safetensors).
    public static var modelFolder: String { directory + "/model" }

    public static func file(_ name: String) throws -> SafetensorsFile { try folder.safetensors(name) }

    public static func tensor(_ file: SafetensorsFile, _ name: String) throws -> Tensor { try file.f32(name) }
}

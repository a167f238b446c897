// Every file of this target sees the shared test support (tolerances, temporary folders, the shipped model)
// without importing it.
@_exported import FlowTestSupport
import Foundation
import XCTest
import FlowKit

/// Synthetic frames and the shipped descriptor model for the memory tests.
enum MemoryFixtures {
    /// K/V layout of the synthetic frames: 2 layers of [2 heads, 4 tokens, 8].
    static let layers = 2, heads = 2, tokens = 4, headDim = 8

    /// One K or V tensor, deterministic in (position, salt), values in [-2, 2].
    static func tensor(_ position: Int, salt: Int) -> Tensor {
        var rng = SplitMix64(seed: UInt64(position * 7919 + salt * 104_729 + 1))
        return Tensor(shape: [heads, tokens, headDim]) { out in
            for i in 0..<out.count { out[i] = Float(rng.next() % 4001) / 1000 - 2 }
        }
    }

    static func frame(_ position: Int, latent: Tensor? = nil, generation: Int = 0, rotated: Bool = false) -> KVFrame {
        KVFrame(position: position, keys: (0..<layers).map { tensor(position, salt: 2 * $0) },
                values: (0..<layers).map { tensor(position, salt: 2 * $0 + 1) }, latent: latent,
                promptGeneration: generation, keysRotated: rotated)
    }

    static func eviction(_ position: Int, sequence: Int, latent: Tensor? = nil, reason: KVEviction.Reason = .window) -> KVEviction {
        KVEviction(frame: frame(position, latent: latent), reason: reason, sequence: sequence)
    }

    /// The shipped model folder, or a skip until it is exported.
    static func shippedModel() throws -> String {
        let dir = Repository.root.appendingPathComponent("Models/world-tiny").path
        guard let folder = try? ModelFolder(path: dir), (try? folder.section("descriptor")) != nil,
              FileManager.default.fileExists(atPath: dir + "/descriptor.safetensors") else {
            throw XCTSkip("Models/world-tiny (descriptor) not exported yet")
        }
        return dir
    }

    /// The descriptor fixture's four normalised latent frames [16, 8, 8]: distinct frames of the world.
    static func latents() throws -> [Tensor] {
        let (_, fx) = try ShippedModel.fixture("descriptor", model: "descriptor")
        let all = try fx.f32("latents")
        return (0..<all.shape[0]).map { all.select(dim: 0, $0).contiguous() }
    }
}

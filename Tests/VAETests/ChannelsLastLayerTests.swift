import XCTest
import FlowKit
@testable import VAENodes

/// The decoder's channels-last layers (oneDNN convolutions) against the channels-first layers they replaced (im2col +
/// GEMM) on the shipped weights and random activations, layer by layer, so that a failure of the whole-decoder
/// parity tests can be located. Both sides are f32 networks of the same reductions: `Tolerance.network`, two
/// evaluations.
final class ChannelsLastLayerTests: XCTestCase {
    func random(_ shape: [Int], seed: UInt64) -> Tensor {
        var rng = SplitMix64(seed: seed)
        return Tensor(shape: shape, values: (0..<shape.reduce(1, *)).map { _ in Float(Double(rng.next() >> 11) * 0x1p-53 * 4 - 2) })
    }

    func config() throws -> VAEConfig { try VAEConfig(folder: try ModelFolder(path: Fixtures.modelFolder)) }

    func testResBlockMatchesChannelsFirst() throws {
        let cfg = try config(), c = cfg.c1, side = 32
        let first = try ResBlock2d(cfg.weights, "decoder.res2", channels: c, groups: cfg.groups, epsilon: cfg.epsilon)
        let last = try ChannelsLastResBlock2d(cfg.weights, "decoder.res2", channels: c, groups: cfg.groups, epsilon: cfg.epsilon)
        let x = random([3, c, side, side], seed: 1)
        let length = Double(2 * (9 * c + 1) + 2 * (c / cfg.groups * side * side))
        assertWithin(last(x.channelsLast()).channelsFirst(), first(x), .network(reductionLength: length, evaluations: 2), "res2")
    }

    /// The causal block streamed in chunks of 2 and 3 frames: each chunk's output and the carried cache agree.
    func testCausalBlockStreamsLikeChannelsFirst() throws {
        let cfg = try config(), c = cfg.c2, side = 8
        let first = try CausalResBlock3d(cfg.weights, "decoder.mid", channels: c, groups: cfg.groups, epsilon: cfg.epsilon)
        let last = try ChannelsLastCausalResBlock3d(cfg.weights, "decoder.mid", channels: c, groups: cfg.groups, epsilon: cfg.epsilon)
        var firstCache = first.emptyCache(height: side, width: side), lastCache = last.emptyCache(height: side, width: side)
        let x = random([5, c, side, side], seed: 2)
        let length = Double(2 * (27 * c + 1) + 2 * (c / cfg.groups * side * side))
        for chunk in [0..<2, 2..<5] {
            let part = x.slice(dim: 0, chunk).contiguous()
            let expected = first(part, cache: &firstCache)
            let actual = last(part.channelsLast(), cache: &lastCache).channelsFirst()
            assertWithin(actual, expected, .network(reductionLength: length, evaluations: 2), "mid, frames \(chunk)")
        }
        let carried = lastCache.channelsFirst
        assertWithin(carried.first, firstCache.first, .network(reductionLength: length, evaluations: 2), "cache of conv1's input")
        assertWithin(carried.second, firstCache.second, .network(reductionLength: length, evaluations: 2), "cache of conv2's input")
        XCTAssertGreaterThan(maxAbs(carried.second), 0.1, "the cache holds the stream, not zeros")
    }
}

import FlowKit

/// StreamDiffusionV2's motion-aware noise controller (reference §5): fast motion gets a lower start
/// timestep (less noise, so the output follows the input), slow motion a higher one, smoothed over
/// blocks so the strength does not jump:
///     d = clip(max RMS frame difference / motionNorm, 0, 1)
///     scale = 0.9 * (initial - 0.1 * d) + 0.1 * previous scale     (previous = initial at the start)
///     start timestep = 1000 * scale - 100
struct MotionNoiseController: Sendable {
    let initial: Double
    let motionNorm: Double
    private(set) var previousScale: Double?
    /// The last frame of the previous block, so the motion across the block boundary counts too.
    private var previousFrame: Tensor?

    init(initial: Double, motionNorm: Double = 0.2) {
        self.initial = initial
        self.motionNorm = motionNorm
    }

    /// d for a motion measure (max RMS frame difference).
    func motion(_ rmsDifference: Double) -> Double { min(max(rmsDifference / motionNorm, 0), 1) }

    /// The start timestep of the next block from its latents `[F, C, H, W]`; advances the state.
    mutating func startTimestep(for latents: Tensor) -> Double {
        let z = latents.contiguous()
        var frames = (0..<z.shape[0]).map { z.select(dim: 0, $0).contiguous() }
        if let previousFrame { frames.insert(previousFrame, at: 0) }
        previousFrame = frames.last
        let maxDifference = zip(frames, frames.dropFirst()).map { Self.rmsDifference($0, $1) }.max() ?? 0
        return startTimestep(motion: motion(maxDifference))
    }

    /// The formula alone, for a given d in [0, 1]; advances the smoothing state.
    mutating func startTimestep(motion d: Double) -> Double {
        let scale = 0.9 * (initial - 0.1 * d) + 0.1 * (previousScale ?? initial)
        previousScale = scale
        return 1000 * scale - 100
    }

    /// sqrt(mean((a - b)^2)) of two same-shaped frames.
    static func rmsDifference(_ a: Tensor, _ b: Tensor) -> Double {
        a.withUnsafeFloats { x in
            b.withUnsafeFloats { y in
                var sum = 0.0
                for i in 0..<x.count { let d = Double(x[i] - y[i]); sum += d * d }
                return (sum / Double(max(x.count, 1))).squareRoot()
            }
        }
    }
}

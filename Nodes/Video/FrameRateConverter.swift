/// Resamples a stream of timestamped frames to a constant rate by dropping and repeating frames.
/// Output slot k stands for time k / fps from the first frame; each slot shows the latest source frame
/// whose time rounds to at most that slot (ties go to the earlier slot, so 10 → 5 fps keeps 0, 2, 4 …).
public struct FrameRateConverter: Sendable {
    public let fps: Double
    private var origin: Double?
    /// The next output slot to fill.
    public private(set) var nextSlot = 0

    public init(fps: Double) {
        precondition(fps > 0, "FrameRateConverter needs a positive rate")
        self.fps = fps
    }

    /// What to do when a source frame at `time` seconds arrives: first repeat the previous source frame
    /// `repeatPrevious` times, then emit this frame if `emit`.
    public mutating func accept(time: Double) -> (repeatPrevious: Int, emit: Bool) {
        let slot = slotIndex(time)
        guard slot >= nextSlot else { return (0, false) }
        let repeats = slot - nextSlot
        nextSlot = slot + 1
        return (repeats, true)
    }

    /// At end of stream, how many more copies of the last frame fill the stream up to `endTime`
    /// (the last frame's time plus its duration).
    public mutating func finish(endTime: Double) -> Int {
        guard origin != nil else { return 0 }
        let end = slotIndex(endTime)
        let copies = max(0, end - nextSlot)
        nextSlot += copies
        return copies
    }

    private mutating func slotIndex(_ time: Double) -> Int {
        let start = origin ?? time
        origin = start
        // The small bias makes an exact half round down; timestamps converted from rationals are rarely exact.
        return max(0, Int(((time - start) * fps - 1e-6).rounded()))
    }
}

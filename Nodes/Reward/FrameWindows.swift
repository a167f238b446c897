import FlowKit

/// Cuts a stream of frame batches into windows of `size` consecutive frames made under one prompt.
///
/// A window may span batches (batches of 3 and 5 frames make windows 0–3 and 4–7). It never spans a prompt
/// switch or a gap in the frame indices (frames flushed upstream): a window of two prompts' frames scores
/// neither, so the unfinished window is dropped and counting restarts at the new prompt's first frame.
struct FrameWindows {
    /// Complete windows, frame after frame.
    struct Run {
        /// Stream index of the first window's first frame; where the next window starts when `count` is 0.
        var firstFrame: Int
        var count: Int
        var rgb: ArraySlice<UInt8>
    }

    let size: Int
    let frameBytes: Int
    /// Frames of the unfinished window.
    private var partial: [UInt8] = []
    private var partialStart = 0
    private var partialGeneration: Int?
    /// Frames dropped with an unfinished window at a switch or a gap.
    private(set) var droppedFrames = 0

    init(size: Int, width: Int, height: Int) {
        self.size = size
        frameBytes = width * height * 3
    }

    /// Frames held for a window that is not complete yet.
    var partialFrames: Int { partial.count / frameBytes }

    /// Adds a batch made under prompt `generation`; returns the windows it completes.
    mutating func add(_ batch: FrameBatch, generation: Int) -> Run {
        if generation != partialGeneration || batch.firstFrame != partialStart + partialFrames {
            droppedFrames += partialFrames
            partial.removeAll(keepingCapacity: true)
            partialStart = batch.firstFrame
            partialGeneration = generation
        }
        partial.append(contentsOf: batch.rgb)
        let windowBytes = size * frameBytes
        let count = partial.count / windowBytes
        let run = Run(firstFrame: partialStart, count: count, rgb: partial[0..<(count * windowBytes)])
        partial.removeFirst(count * windowBytes)
        partialStart += count * size
        return run
    }
}

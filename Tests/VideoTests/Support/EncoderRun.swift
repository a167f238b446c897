import FlowKit
import VideoNodes

/// Runs `video.encoder` through the harness: frames in batches, then end of stream and finish,
/// the order the runtime uses.
@discardableResult
func encode(_ params: [String: ParamValue], frames: Int, batch: Int = 4, width: Int = 64, height: Int = 48,
            fps: Double = 15, closeInput: Bool = true) throws -> NodeHarness<VideoEncoderNode> {
    let harness = try NodeHarness(VideoEncoderNode.self, params: params, id: "video")
    try feed(harness, frames: 0..<frames, batch: batch, width: width, height: height, fps: fps)
    if closeInput { try harness.close("frames") }
    try harness.finish()
    return harness
}

func feed(_ harness: NodeHarness<VideoEncoderNode>, frames: Range<Int>, batch: Int = 4, width: Int = 64,
          height: Int = 48, fps: Double = 15) throws {
    var next = frames.lowerBound
    while next < frames.upperBound {
        let count = min(batch, frames.upperBound - next)
        try harness.feed("frames", position: next / batch,
                         TestFrames.batch(width: width, height: height, first: next, count: count, fps: fps))
        next += count
    }
}

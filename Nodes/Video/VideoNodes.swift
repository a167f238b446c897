import FlowKit

/// The Video family: `video.encoder` (a sink writing MP4, fragmented MP4, MJPEG or a PNG sequence)
/// and `video.source` (any file FFmpeg can read, as RGB frames), on FFmpeg's libavformat/libavcodec.
///
///     video: { type: video.encoder, path: out/run.mp4, inputs: { frames: vae.frames } }   # finalized on end, error, Ctrl-C
///     input: { type: video.source, path: clip.mp4, width: 64, height: 64, fps: 16, batch: 12 }
///
/// - Files: `VideoEncoderNode.swift` + `VideoWriter.swift` + `EncoderSettings.swift` + `OutputFormat.swift` +
///   `OutputPath.swift` (writing), `VideoSourceNode.swift` + `VideoReader.swift` + `FrameFitter.swift` + `FitPolicy.swift`
///   + `FrameRateConverter.swift` (reading), `PixelConverter.swift` (swscale), `FFmpegError.swift`, `FFmpegLogging.swift`.
/// - Payload: `FrameBatch` (FlowKit/Payloads) in and out.
/// - Fixtures: `Tests/VideoTests/Fixtures` (`make_fixtures.sh`: short, corrupt and truncated files).
/// - Tests: `Tests/VideoTests` (formats, finalizing after errors and interrupts, reading, fitting, rates).
/// - Benchmark: `Benchmarks/VideoBench` (encode frames/s per codec).
public enum VideoNodes {
    /// Every node type in this family, for the built-in registry.
    public static var types: [any Node.Type] { [VideoEncoderNode.self, VideoSourceNode.self] }
}

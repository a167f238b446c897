import FlowKit

/// The Video family: `video.encoder` (a sink writing MP4, fragmented MP4, MJPEG or a PNG sequence)
/// and `video.source` (any file FFmpeg can read, as RGB frames).
public enum VideoNodes {
    /// Every node type in this family, for the built-in registry.
    public static var types: [any Node.Type] { [VideoEncoderNode.self, VideoSourceNode.self] }
}

/// Everything a `VideoWriter` needs besides the frames themselves.
struct EncoderSettings: Sendable {
    var format: OutputFormat
    var width: Int
    var height: Int
    var fps: Double
    /// H.264 constant rate factor (0 lossless … 51 worst); ignored when `bitrateKbps` > 0.
    var crf: Int = 23
    /// H.264 target bitrate in kbit/s; 0 means use `crf`.
    var bitrateKbps: Int = 0
    /// libx264 preset; faster presets trade size for speed, which a live pipeline needs.
    var preset: String = "veryfast"
    /// Chroma layout for H.264 and MJPEG: yuv420p (most compatible), yuv422p or yuv444p. PNG is always RGB.
    var pixelFormat: String = "yuv420p"
    /// MJPEG quantizer scale (2 best … 31 worst).
    var mjpegQuality: Int = 3
    /// Frames between keyframes; 0 picks two seconds. For fmp4 this is also the fragment length.
    var keyframeInterval: Int = 0
    /// Encoder threads (libx264); 0 lets the library choose.
    var threads: Int = 1

    init(format: OutputFormat, width: Int, height: Int, fps: Double) {
        self.format = format
        self.width = width
        self.height = height
        self.fps = fps
    }

    /// The keyframe interval actually used.
    var effectiveKeyframeInterval: Int {
        keyframeInterval > 0 ? keyframeInterval : max(1, Int((fps * 2).rounded()))
    }
}

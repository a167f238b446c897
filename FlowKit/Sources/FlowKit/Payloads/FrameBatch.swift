/// A short run of RGB frames, 8 bits per channel, row-major, frame after frame.
/// Port type `frames[u8; N, H, W, 3]`.
public struct FrameBatch: PortPayload {
    public static var portType: PortType { "frames[u8; N, H, W, 3]" }

    public var width: Int
    public var height: Int
    /// Index of the first frame in the whole stream.
    public var firstFrame: Int
    public var fps: Double
    public var rgb: [UInt8]
    /// Generated frames: the generation of the prompt they were made under (see `Prompt.generation`),
    /// so a scorer pairs them with the right prompt; nil for frames read from a file or a pattern.
    public var promptGeneration: Int?
    /// The search candidate the frames were decoded from; nil in a plain stream.
    public var candidate: Candidate?

    public init(width: Int, height: Int, firstFrame: Int, fps: Double, rgb: [UInt8], promptGeneration: Int? = nil, candidate: Candidate? = nil) {
        precondition(width > 0 && height > 0 && rgb.count % (width * height * 3) == 0, "FrameBatch: rgb size does not match \(width)x\(height)")
        self.width = width
        self.height = height
        self.firstFrame = firstFrame
        self.fps = fps
        self.rgb = rgb
        self.promptGeneration = promptGeneration
        self.candidate = candidate
    }

    public var count: Int { rgb.count / (width * height * 3) }
}

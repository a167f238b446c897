/// The unit that travels on an edge: a stream position (block index, frame index: the node's
/// contract says which), a payload and free-form metadata.
public struct Packet: Sendable {
    public var position: Int
    public var payload: any Sendable
    public var meta: [String: String]

    public init(position: Int, payload: any Sendable, meta: [String: String] = [:]) {
        self.position = position
        self.payload = payload
        self.meta = meta
    }

    /// The payload as the type a node expects, or an error naming both types.
    public func value<T>(as type: T.Type = T.self) throws -> T {
        guard let v = payload as? T else {
            throw NodeError("packet at position \(position) carries \(Swift.type(of: payload)), expected \(T.self)")
        }
        return v
    }
}

/// A short run of RGB frames, 8 bits per channel, row-major, frame after frame.
public struct FrameBatch: Sendable {
    public var width: Int
    public var height: Int
    /// Index of the first frame in the whole stream.
    public var firstFrame: Int
    public var fps: Double
    public var rgb: [UInt8]

    public init(width: Int, height: Int, firstFrame: Int, fps: Double, rgb: [UInt8]) {
        precondition(width > 0 && height > 0 && rgb.count % (width * height * 3) == 0, "FrameBatch: rgb size does not match \(width)x\(height)")
        self.width = width
        self.height = height
        self.firstFrame = firstFrame
        self.fps = fps
        self.rgb = rgb
    }

    public var count: Int { rgb.count / (width * height * 3) }
}

/// A prompt as it travels from a prompt source: the text and the frame from which it applies.
public struct Prompt: Sendable, Hashable {
    public var text: String
    public var startFrame: Int
    /// Increases with every switch, so downstream nodes can tell a new prompt from a repeated one.
    public var generation: Int

    public init(text: String, startFrame: Int, generation: Int) {
        self.text = text
        self.startFrame = startFrame
        self.generation = generation
    }
}

/// The packet the compiler puts on every declared feedback edge before the run starts, so a loop
/// has something to begin with (MediaPipe calls this the back edge's initial packet).
public struct LoopSeed: Sendable {
    public init() {}
}

import CFFmpeg
import Foundation
import FlowKit

/// `video.source`: reads any file FFmpeg can demux and decode and emits RGB frames of a requested size
/// and rate, `batch` frames per packet; packet positions are batch indices, `FrameBatch.firstFrame`
/// the frame index. Ends the stream at the end of the file; unreadable, corrupt and truncated files
/// are errors that name the file and what is wrong with it.
public final class VideoSourceNode: Node {
    public static let contract = NodeContract(
        type: "video.source",
        summary: "Decodes a video file to RGB frames at a chosen size and frame rate",
        outputs: [PortSpec("frames", FrameBatch.self, doc: "RGB frames; position = batch index")],
        params: [
            ParamSpec("path", .path, doc: "any file FFmpeg can read (mp4, mkv, avi, webm, mov, gif, …)"),
            ParamSpec("width", .int, default: .int(0), range: 0...16384, doc: "output width; 0 keeps the source's, or follows height's aspect"),
            ParamSpec("height", .int, default: .int(0), range: 0...16384, doc: "output height; 0 keeps the source's, or follows width's aspect"),
            ParamSpec("fps", .float, default: .float(0), range: 0...1000, doc: "output frame rate, by dropping or repeating frames; 0 keeps every source frame"),
            ParamSpec("fit", .choice(FitPolicy.allCases.map(\.rawValue)), default: .string("crop"),
                      doc: "when aspect ratios differ: crop (fill, cut the overflow), pad (fit, black bars), stretch (distort)"),
            ParamSpec("batch", .int, default: .int(1), range: 1...4096, doc: "frames per packet"),
            ParamSpec("realtime", .bool, default: .bool(false),
                      doc: "emit frames no faster than their rate, like a live camera, instead of as fast as they decode"),
            ParamSpec("max_frames", .int, default: .int(0), range: 0...Double(Int32.max), doc: "stop after this many output frames; 0 reads to the end"),
        ])

    public static func shapeBindings(_ params: Params) -> ShapeBindings {
        // N is the batch size, as frames.pattern binds it; the last batch of a file may be shorter.
        var bindings = ShapeBindings(params, ["N": "batch"])
        if params.int("width") > 0, params.int("height") > 0 {
            bindings.bind("W", params.int("width"), from: "width")
            bindings.bind("H", params.int("height"), from: "height")
        }
        return bindings
    }

    private let path: String
    private let reader: VideoReader
    private let fitter: FrameFitter
    private var rate: FrameRateConverter?
    private let outputFps: Double
    private let batchSize: Int
    private let maxFrames: Int
    private let realtime: Bool
    /// When the first batch went out, for pacing in realtime mode.
    private var clockStart: ContinuousClock.Instant?
    private var frameBytes: Int { fitter.width * fitter.height * 3 }

    /// The latest decoded frame as RGB, kept to repeat it when the output rate is above the source's.
    private var previous: [UInt8] = []
    private var pending: [UInt8] = []
    /// Output frames made so far (emitted or waiting in `pending`), and frames actually emitted.
    private var framesOut = 0
    private var framesEmitted = 0
    private var batchesOut = 0
    private var lastEnd: Double?
    private var atEnd = false

    public init(context: NodeContext) throws {
        path = context.path("path")
        do { reader = try VideoReader(path: path) } catch { throw NodeError("video.source: \(error)") }
        let (width, height) = Self.outputSize(requested: (context.params.int("width"), context.params.int("height")),
                                              source: (reader.width, reader.height))
        fitter = FrameFitter(width: width, height: height, policy: FitPolicy(rawValue: context.params.string("fit"))!)
        let fps = context.params.double("fps")
        rate = fps > 0 ? FrameRateConverter(fps: fps) : nil
        outputFps = fps > 0 ? fps : reader.frameRate
        batchSize = context.params.int("batch")
        maxFrames = context.params.int("max_frames")
        realtime = context.params.bool("realtime")
    }

    /// Fills a missing dimension from the source's aspect ratio, rounded to even (what yuv420p needs).
    static func outputSize(requested: (Int, Int), source: (Int, Int)) -> (Int, Int) {
        switch requested {
        case (0, 0): return source
        case (let w, 0): return (w, max(2, Int((Double(w) * Double(source.1) / Double(source.0) / 2).rounded()) * 2))
        case (0, let h): return (max(2, Int((Double(h) * Double(source.0) / Double(source.1) / 2).rounded()) * 2), h)
        case (let w, let h): return (w, h)
        }
    }

    public func produce(_ io: NodeIO) throws -> Production {
        if io.isStopping { return .done }
        while !atEnd, pending.count < batchSize * frameBytes {
            try decodeNext()
        }
        try emitPending(io)
        return atEnd && pending.isEmpty ? .done : .more
    }

    public func finish(_ io: NodeIO) throws {
        reader.close()
        io.log("read \(framesEmitted) frames from \(path)")
    }

    /// Decodes one source frame and appends the output frames it stands for (zero, one or several).
    private func decodeNext() throws {
        let next: (frame: UnsafeMutablePointer<AVFrame>, time: Double?, duration: Double?)?
        do { next = try reader.nextFrame() } catch { throw NodeError("video.source: \(error)") }
        guard let next else { return endOfFile() }
        let time = next.time ?? Double(framesOut) / max(outputFps, 1)
        lastEnd = time + (next.duration ?? (reader.frameRate > 0 ? 1 / reader.frameRate : 0))
        let (repeats, emit) = rate?.accept(time: time) ?? (0, true)
        for _ in 0..<repeats { append(previous) }
        if previous.count != frameBytes { previous = [UInt8](repeating: 0, count: frameBytes) }
        do {
            try previous.withUnsafeMutableBufferPointer { try fitter.fit(next.frame, into: $0) }
        } catch { throw NodeError("video.source: '\(path)': \(error)") }
        if emit { append(previous) }
    }

    private func endOfFile() {
        if var rate, let lastEnd {
            for _ in 0..<rate.finish(endTime: lastEnd) { append(previous) }
            self.rate = rate
        }
        atEnd = true
    }

    private func append(_ frame: [UInt8]) {
        guard !atEnd else { return }
        pending.append(contentsOf: frame)
        framesOut += 1
        if maxFrames > 0, framesOut >= maxFrames { atEnd = true }
    }

    private func emitPending(_ io: NodeIO) throws {
        guard !pending.isEmpty else { return }
        let take = min(pending.count, batchSize * frameBytes)
        let rgb = Array(pending[..<take])
        pending.removeFirst(take)
        let count = take / frameBytes
        let first = framesOut - pending.count / frameBytes - count
        let batch = FrameBatch(width: fitter.width, height: fitter.height, firstFrame: first, fps: outputFps, rgb: rgb)
        if realtime, outputFps > 0 { waitUntil(frame: first, io) }
        if io.isStopping { return }
        try io.emit("frames", Packet(position: batchesOut, payload: batch))
        batchesOut += 1
        framesEmitted += count
    }

    /// Sleeps until frame `index` is due, in short steps so a stopping graph is not kept waiting.
    private func waitUntil(frame index: Int, _ io: NodeIO) {
        let clock = ContinuousClock()
        let start = clockStart ?? clock.now
        clockStart = start
        let due = start + .nanoseconds(Int64(Double(index) / outputFps * 1e9))
        while !io.isStopping, clock.now < due {
            let remaining = due - clock.now
            Thread.sleep(forTimeInterval: min(0.05, Double(remaining.components.attoseconds) / 1e18 + Double(remaining.components.seconds)))
        }
    }
}

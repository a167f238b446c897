import Foundation
import FlowKit

/// `video.encoder`: a sink that writes the RGB frames it receives to MP4 (H.264), fragmented MP4,
/// MJPEG (.mkv/.avi) or a PNG sequence. The file is opened at the first batch (its size and rate come
/// from the frames) and finalized in `finish`, which the runtime calls at end of stream, after an
/// upstream error and on SIGINT alike, so the file holds every frame that reached this node.
public final class VideoEncoderNode: Node {
    public static let contract = NodeContract(
        type: "video.encoder",
        summary: "Writes RGB frames to MP4/H.264, fragmented MP4, MJPEG or a PNG sequence",
        inputs: [PortSpec("frames", FrameBatch.self, doc: "RGB frames, encoded in arrival order")],
        params: [
            ParamSpec("path", .path, doc: "output file; {name} {node} {date} {time} {datetime} are filled in; a PNG sequence needs a counter such as frame_%05d.png"),
            ParamSpec("format", .choice(["auto"] + OutputFormat.allCases.map(\.rawValue)), default: .string("auto"),
                      doc: "mp4 (H.264), fmp4 (H.264, fragmented, playable while written), mjpeg (.mkv or .avi), png (image sequence); auto picks from the extension (.mp4 → fmp4, so a run that cannot finish the file (full disk, kill) still leaves a playable one; .mkv/.avi → mjpeg, .png → png)"),
            ParamSpec("fps", .float, default: .float(0), range: 0...1000, doc: "frames per second of the file; 0 takes the rate the frames carry"),
            ParamSpec("crf", .int, default: .int(23), range: 0...51, doc: "H.264 constant rate factor, lower is better; ignored when bitrate is set"),
            ParamSpec("bitrate", .int, default: .int(0), range: 0...1_000_000, doc: "H.264 target bitrate in kbit/s; 0 means constant quality (crf)"),
            ParamSpec("preset", .choice(VideoEncoderNode.presets), default: .string("veryfast"), doc: "libx264 speed/size trade-off"),
            ParamSpec("pix_fmt", .choice(["yuv420p", "yuv422p", "yuv444p"]), default: .string("yuv420p"),
                      doc: "chroma layout for H.264 and MJPEG; yuv420p plays everywhere and needs even width and height; PNG is always RGB"),
            ParamSpec("quality", .int, default: .int(3), range: 2...31, doc: "MJPEG quantizer scale, 2 best … 31 worst"),
            ParamSpec("keyint", .int, default: .int(0), range: 0...100_000, doc: "frames between keyframes (and fmp4 fragments); 0 means two seconds"),
            ParamSpec("overwrite", .bool, default: .bool(false), doc: "replace an existing file (or sequence) instead of failing"),
            ParamSpec("name", .string, default: .string(""), doc: "the value of {name} in path; empty means the node id"),
        ])

    static let presets = ["ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower", "veryslow"]

    public static func check(_ params: Params) -> [ParamProblem] {
        var problems: [ParamProblem] = []
        let path = params.string("path")
        let probe = OutputPath(name: "name", node: "node", now: Date())
        guard let expanded = problem(param: "path", &problems, { try probe.expand(path) }) else { return problems }
        if let message = formatProblem(expanded, params.string("format")) {
            problems.append(ParamProblem(param: "format", message))
        }
        return problems
    }

    /// Why a (format, path) pair cannot work, if it cannot.
    static func formatProblem(_ path: String, _ formatName: String) -> String? {
        guard let format = resolvedFormat(path, formatName) else {
            return "cannot tell the format from '\(path)'; use a .mp4, .mkv, .avi or .png path, or set format"
        }
        let lower = path.lowercased()
        if !format.allowedExtensions.contains(where: { lower.hasSuffix($0) }) {
            return "format \(format.rawValue) writes \(format.allowedExtensions.joined(separator: " or ")) files, but path is '\(path)'"
        }
        if format == .png, SequencePattern(path) == nil {
            return "a PNG sequence needs one frame counter in the file name, e.g. out/frame_%05d.png"
        }
        return nil
    }

    static func resolvedFormat(_ path: String, _ formatName: String) -> OutputFormat? {
        formatName == "auto" ? OutputFormat.inferred(from: path) : OutputFormat(rawValue: formatName)
    }

    private static func problem<T>(param: String, _ problems: inout [ParamProblem], _ body: () throws -> T) -> T? {
        do { return try body() } catch {
            problems.append(ParamProblem(param: param, "\(error)"))
            return nil
        }
    }

    // MARK: - Instance

    /// The file (or sequence pattern) this node writes, after templating and resolution.
    public let outputPath: String
    private let params: Params
    private let format: OutputFormat
    private let threads: Int
    private var writer: VideoWriter?
    /// Frames handed to this node's file once it is finished; a resumed session's earlier files (VideoEncoderNode+Snapshot.swift).
    var framesInFile = 0
    var earlierFiles: [SessionFile] = []
    /// Frames not (yet) safely in the file, and those a snapshot carried over (VideoEncoderNode+Snapshot.swift).
    var held = HeldFrames()

    public init(context: NodeContext) throws {
        params = context.params
        threads = context.threads
        let name = context.params.string("name")
        let template = OutputPath(name: name.isEmpty ? context.id : name, node: context.id, now: Date())
        let expanded: String
        do { expanded = try template.expand(context.params.string("path")) } catch { throw NodeError("video.encoder: \(error)") }
        if let message = Self.formatProblem(expanded, context.params.string("format")) { throw NodeError("video.encoder: \(message)") }
        format = Self.resolvedFormat(expanded, context.params.string("format"))!
        let base = context.baseDirectory
        outputPath = expanded.hasPrefix("/") || base.isEmpty ? expanded : (base.hasSuffix("/") ? base + expanded : base + "/" + expanded)
        do {
            // Checked now, replaced when the first frame arrives: a run that fails or is refused before (a resume
            // that would overwrite the saved session's file) leaves the old file as it was.
            try OutputPath.ensureWritable(outputPath, format: format, overwrite: context.params.bool("overwrite"), remove: false)
        } catch { throw NodeError("video.encoder: \(error)") }
    }

    public func process(_ packet: Packet, port: String, _ io: NodeIO) throws {
        let batch = try packet.value(as: FrameBatch.self)
        if let carried = held.takeCarried() { try write(carried, io) }
        try write(batch, io)
    }

    /// Encodes a batch. Fragmented MP4 keeps a batch's frames until they are in whole fragments; once a write
    /// fails (a full disk) the graph stops, and every frame still draining in is kept, for a snapshot.
    private func write(_ batch: FrameBatch, _ io: NodeIO) throws {
        if held.writeFailed { return held.add(batch) }
        let writer = try self.writer ?? openWriter(for: batch, io)
        guard batch.width == writer.settings.width, batch.height == writer.settings.height else {
            throw NodeError("video.encoder: frames changed size from \(writer.settings.width)x\(writer.settings.height) to \(batch.width)x\(batch.height) at frame \(batch.firstFrame); one file holds one size")
        }
        if format == .fmp4 { held.add(batch) }
        do {
            try batch.rgb.withUnsafeBufferPointer { try writer.write(rgb: $0, count: batch.count) }
        } catch {
            guard format == .fmp4 else { throw NodeError("video.encoder: \(error)") }
            held.writeFailed = true
            io.fail(NodeError("video.encoder: \(error)"))
            return
        }
        if format == .fmp4 { held.drop(before: writer.wholeFragmentFrames) }
    }

    public func finish(_ io: NodeIO) throws {
        // A resumed session that made no frame of its own still writes the ones its snapshot carried.
        if writer == nil, let carried = held.takeCarried() { try write(carried, io) }
        guard let writer else {
            io.log("no frames arrived; \(outputPath) was not written")
            return
        }
        self.writer = nil
        var finishError: Error?
        do { try writer.finish() } catch { finishError = error }
        framesInFile = writer.writeFailed && format == .fmp4 ? writer.wholeFragmentFrames : writer.framesWritten
        if writer.writeFailed && format == .fmp4 {
            held.drop(before: framesInFile)
            io.log("\(outputPath) keeps its first \(framesInFile) frames (whole fragments: it plays); \(held.frames.count) later frame(s) could not be written (a --snapshot keeps them, and --resume writes them first)")
            if held.writeFailed { return } // already reported with `fail`
        }
        if let finishError { throw NodeError("video.encoder: finalizing \(outputPath): \(finishError)") }
        let resumed = earlierFiles.isEmpty ? "" : " (stream frames \(firstFrameOfFile)..<\(firstFrameOfFile + writer.framesWritten) of a resumed session)"
        io.log("wrote \(writer.framesWritten) frames to \(outputPath)\(resumed)")
    }

    private func openWriter(for batch: FrameBatch, _ io: NodeIO) throws -> VideoWriter {
        let fps = params.double("fps") > 0 ? params.double("fps") : batch.fps
        guard fps > 0 else { throw NodeError("video.encoder: the frames carry no frame rate; set fps") }
        let pixelFormat = params.string("pix_fmt")
        if format != .png, pixelFormat == "yuv420p", batch.width % 2 != 0 || batch.height % 2 != 0 {
            throw NodeError("video.encoder: yuv420p needs even width and height, got \(batch.width)x\(batch.height); use pix_fmt: yuv444p")
        }
        var settings = EncoderSettings(format: format, width: batch.width, height: batch.height, fps: fps)
        settings.crf = params.int("crf")
        settings.bitrateKbps = params.int("bitrate")
        settings.preset = params.string("preset")
        settings.pixelFormat = pixelFormat
        settings.mjpegQuality = params.int("quality")
        settings.keyframeInterval = params.int("keyint")
        settings.threads = threads
        do {
            try OutputPath.ensureWritable(outputPath, format: format, overwrite: params.bool("overwrite"))
            let opened = try VideoWriter(path: outputPath, settings: settings)
            writer = opened
            return opened
        } catch { throw NodeError("video.encoder: \(error)") }
    }
}

import Foundation
import FlowKit

/// One file of a session that was stopped and resumed: which stream frames it holds.
struct SessionFile: Equatable {
    var path: String
    var firstFrame: Int
    var frames: Int
}

/// RGB frames the encoder holds outside the file: in fragmented MP4, those not yet in a whole fragment (a full
/// disk loses the cut one); after a failed write, every frame that still arrives; and, resumed, the frames the
/// saved session could not write, written first.
struct HeldFrames {
    var width = 0
    var height = 0
    var fps = 0.0
    /// Frames of this node's file from index `firstIndex` on.
    var frames: [[UInt8]] = []
    var firstIndex = 0
    var writeFailed = false
    /// From a snapshot: frames the saved session made but could not write.
    var carried: FrameBatch?

    mutating func add(_ batch: FrameBatch) {
        (width, height, fps) = (batch.width, batch.height, batch.fps)
        let size = batch.width * batch.height * 3
        for f in 0..<batch.count { frames.append(Array(batch.rgb[(f * size)..<((f + 1) * size)])) }
    }

    /// Forgets the frames before file frame `index` (they are safely written).
    mutating func drop(before index: Int) {
        let k = min(frames.count, max(0, index - firstIndex))
        frames.removeFirst(k)
        firstIndex += k
    }

    mutating func takeCarried() -> FrameBatch? {
        defer { carried = nil }
        return carried
    }
}

/// A resumed session writes the frames it adds to this node's `path`, a new file that starts where the saved
/// session's file ended (with an intra-only codec such as MJPEG, the files' frames are exactly those of one
/// unbroken run). The snapshot keeps which file holds which frames, so a resumed run refuses to overwrite
/// one of them.
extension VideoEncoderNode: SnapshotState {
    /// The file a resumed run writes (and whether it may replace one) is the resumed run's choice.
    public static var paramsFreeOnResume: Set<String> { ["overwrite", "name"] }

    public func saveState() throws -> NodeState {
        var files = earlierFiles
        let first = earlierFiles.last.map { $0.firstFrame + $0.frames } ?? 0
        if framesInFile > 0 { files.append(SessionFile(path: outputPath, firstFrame: first, frames: framesInFile)) }
        var state = NodeState()
        state.ints["files"] = files.count
        for (i, f) in files.enumerated() {
            state.strings["file.\(i).path"] = f.path
            state.ints["file.\(i).first"] = f.firstFrame
            state.ints["file.\(i).frames"] = f.frames
        }
        // Frames made but not in any file (a full disk): the resumed run writes them first.
        var pending: [[UInt8]] = []
        var (width, height, fps) = (held.width, held.height, held.fps)
        if let c = held.carried {
            let size = c.width * c.height * 3
            pending = (0..<c.count).map { Array(c.rgb[($0 * size)..<(($0 + 1) * size)]) }
            (width, height, fps) = (c.width, c.height, c.fps)
        }
        pending += held.frames
        if !pending.isEmpty {
            state.tensors["pending"] = Tensor(shape: [pending.count, height, width, 3], dtype: .u8, fillBytes: { out in
                for (i, f) in pending.enumerated() { f.withUnsafeBytes { out.baseAddress!.advanced(by: i * f.count).copyMemory(from: $0.baseAddress!, byteCount: f.count) } }
            })
            state.doubles["pending.fps"] = fps
        }
        state.framesDone = (files.last.map { $0.firstFrame + $0.frames } ?? 0) + pending.count
        return state
    }

    public func restoreState(_ state: NodeState) throws {
        let count = try state.int("files")
        guard (0...1_000_000).contains(count) else { throw NodeError("snapshot state 'files' is \(count)") }
        earlierFiles = try (0..<count).map { i in
            SessionFile(path: try state.string("file.\(i).path"), firstFrame: try state.int("file.\(i).first"),
                        frames: try state.int("file.\(i).frames"))
        }
        if let t = state.tensors["pending"] {
            guard t.dtype == .u8, t.rank == 4, t.shape[3] == 3, t.shape[0] > 0, t.shape[1] > 0, t.shape[2] > 0 else {
                throw NodeError("snapshot state 'pending' is \(t.dtype) \(t.shape); expected u8 [frames, height, width, 3]")
            }
            held.carried = FrameBatch(width: t.shape[2], height: t.shape[1], firstFrame: 0, fps: try state.double("pending.fps"),
                                      rgb: t.withUnsafeBytes { Array($0) })
        }
        let mine = URL(fileURLWithPath: outputPath).standardizedFileURL.path
        if let clash = earlierFiles.first(where: { URL(fileURLWithPath: $0.path).standardizedFileURL.path == mine }),
           FileManager.default.fileExists(atPath: clash.path) {
            throw NodeError("video.encoder: \(outputPath) holds frames \(clash.firstFrame)..<\(clash.firstFrame + clash.frames) of the saved session; the resumed run writes the frames after them to a new file: give it another path (e.g. --set out=...)")
        }
    }

    /// The first stream frame this node's file holds.
    var firstFrameOfFile: Int { earlierFiles.last.map { $0.firstFrame + $0.frames } ?? 0 }
}

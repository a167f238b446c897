import Foundation
import FlowKit

/// One file of a session that was stopped and resumed: which stream frames it holds.
struct SessionFile: Equatable {
    var path: String
    var firstFrame: Int
    var frames: Int
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
        state.framesDone = files.last.map { $0.firstFrame + $0.frames } ?? 0
        return state
    }

    public func restoreState(_ state: NodeState) throws {
        let count = try state.int("files")
        guard (0...1_000_000).contains(count) else { throw NodeError("snapshot state 'files' is \(count)") }
        earlierFiles = try (0..<count).map { i in
            SessionFile(path: try state.string("file.\(i).path"), firstFrame: try state.int("file.\(i).first"),
                        frames: try state.int("file.\(i).frames"))
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

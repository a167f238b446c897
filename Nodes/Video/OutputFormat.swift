/// What `video.encoder` writes: a codec in a container.
public enum OutputFormat: String, Sendable, CaseIterable {
    /// H.264 (libx264) in MP4; the index (moov) is written at the end, so the file plays once finished, and a
    /// run that cannot finish it (a full disk, a kill) leaves a file no player opens ("moov atom not found").
    case mp4
    /// H.264 in fragmented MP4: an empty moov up front, then one fragment per keyframe interval,
    /// so players can open the file while it grows and a hard kill loses at most one fragment.
    case fmp4
    /// Motion JPEG, every frame a keyframe, in Matroska (.mkv) or AVI (.avi) chosen by the extension.
    case mjpeg
    /// One PNG per frame, lossless; the path holds a printf-style counter such as frame_%05d.png.
    case png

    /// The format a path implies: used when the graph says `format: auto`. An .mp4 path gets fragmented MP4, so
    /// whatever was written stays playable when a long run cannot finish the file (a full disk, a crash).
    static func inferred(from path: String) -> OutputFormat? {
        let lower = path.lowercased()
        if lower.hasSuffix(".png") { return .png }
        if lower.hasSuffix(".mp4") || lower.hasSuffix(".m4v") { return .fmp4 }
        if lower.hasSuffix(".mkv") || lower.hasSuffix(".avi") { return .mjpeg }
        return nil
    }

    /// The libavformat muxer for this format and path.
    func muxerName(for path: String) -> String {
        switch self {
        case .mp4, .fmp4: return "mp4"
        case .mjpeg: return path.lowercased().hasSuffix(".avi") ? "avi" : "matroska"
        case .png: return "image2"
        }
    }

    /// Extensions this format can be written to, for a clear error when the path disagrees.
    var allowedExtensions: [String] {
        switch self {
        case .mp4, .fmp4: return [".mp4", ".m4v"]
        case .mjpeg: return [".mkv", ".avi"]
        case .png: return [".png"]
        }
    }
}

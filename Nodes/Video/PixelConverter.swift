import CFFmpeg

/// The size, pixel format and range of one side of a conversion.
struct ImageLayout: Equatable {
    var width: Int
    var height: Int
    var format: AVPixelFormat
    /// JPEG (0–255) rather than MPEG (16–235) range; only meaningful for YUV.
    var fullRange: Bool = false
    /// AVColorSpace raw value of YUV data (BT.601, BT.709, …); RGB ignores it.
    var colorSpace: Int32 = Int32(AVCOL_SPC_UNSPECIFIED.rawValue)
}

/// Planes of one image: up to four pointers and their line strides in bytes.
struct ImagePlanes {
    var pointers: [UnsafeMutablePointer<UInt8>?]
    var strides: [Int32]

    init(pointers: [UnsafeMutablePointer<UInt8>?], strides: [Int32]) {
        self.pointers = pointers
        self.strides = strides
    }

    /// The planes of an AVFrame (its `data` and `linesize` are C arrays, imported as tuples).
    init(_ frame: UnsafeMutablePointer<AVFrame>) {
        let d = frame.pointee.data
        let l = frame.pointee.linesize
        pointers = [d.0, d.1, d.2, d.3]
        strides = [l.0, l.1, l.2, l.3]
    }

    /// Packed RGB24 rows of `width` pixels with no padding.
    static func rgb24(_ base: UnsafeMutablePointer<UInt8>, width: Int) -> ImagePlanes {
        ImagePlanes(pointers: [base, nil, nil, nil], strides: [Int32(width * 3), 0, 0, 0])
    }
}

/// Scales and converts images with libswscale, reusing its context while the layouts stay the same.
final class PixelConverter {
    private var context: OpaquePointer?
    private var configured: (ImageLayout, ImageLayout)?

    init() {}

    deinit { sws_freeContext(context) }

    func convert(_ source: ImagePlanes, _ sourceLayout: ImageLayout,
                 into destination: ImagePlanes, _ destinationLayout: ImageLayout) throws {
        try configure(sourceLayout, destinationLayout)
        let sources: [UnsafePointer<UInt8>?] = source.pointers.map { $0.map { UnsafePointer($0) } }
        let rows = sws_scale(context, sources, source.strides, 0, Int32(sourceLayout.height),
                             destination.pointers, destination.strides)
        if rows <= 0 {
            throw FFmpegError(operation: "converting \(sourceLayout.width)x\(sourceLayout.height) to \(destinationLayout.width)x\(destinationLayout.height)", code: rows)
        }
    }

    private func configure(_ source: ImageLayout, _ destination: ImageLayout) throws {
        if let configured, configured.0 == source, configured.1 == destination { return }
        // Bicubic: frames are often downscaled for a model and a smoother filter keeps small shapes legible.
        context = sws_getCachedContext(context,
                                       Int32(source.width), Int32(source.height), source.format,
                                       Int32(destination.width), Int32(destination.height), destination.format,
                                       SWS_BICUBIC | SWS_ACCURATE_RND, nil, nil, nil)
        guard context != nil else {
            configured = nil
            throw FFmpegError(operation: "setting up conversion from \(PixelConverter.name(source.format)) \(source.width)x\(source.height) to \(PixelConverter.name(destination.format)) \(destination.width)x\(destination.height)",
                              code: FFmpegError.invalidData)
        }
        // swscale defaults to BT.601 limited range; say what the data really is, so colours survive.
        let sourceTable = sws_getCoefficients(source.colorSpace)
        let destinationTable = sws_getCoefficients(destination.colorSpace)
        _ = sws_setColorspaceDetails(context, sourceTable, source.fullRange ? 1 : 0,
                                     destinationTable, destination.fullRange ? 1 : 0, 0, 1 << 16, 1 << 16)
        configured = (source, destination)
    }

    static func name(_ format: AVPixelFormat) -> String {
        guard let cString = av_get_pix_fmt_name(format) else { return "pixel format \(format.rawValue)" }
        return String(cString: cString)
    }
}

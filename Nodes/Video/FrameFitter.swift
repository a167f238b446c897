import CFFmpeg

/// Turns decoded frames of any size and pixel format into packed RGB24 of one fixed size, by a `FitPolicy`.
final class FrameFitter {
    let width: Int
    let height: Int
    let policy: FitPolicy
    private let converter = PixelConverter()
    /// The scaled image before it is cropped or padded into place; reused between frames.
    private var scratch: [UInt8] = []

    init(width: Int, height: Int, policy: FitPolicy) {
        self.width = width
        self.height = height
        self.policy = policy
    }

    /// Writes one frame as width × height × 3 bytes at the start of `output`.
    func fit(_ frame: UnsafeMutablePointer<AVFrame>, into output: UnsafeMutableBufferPointer<UInt8>) throws {
        precondition(output.count >= width * height * 3, "FrameFitter: output too small")
        let source = Self.layout(of: frame)
        let place = policy.place(sourceWidth: source.width, sourceHeight: source.height, targetWidth: width, targetHeight: height)
        let scaled = ImageLayout(width: place.width, height: place.height, format: AV_PIX_FMT_RGB24)
        if place.width == width, place.height == height {
            try converter.convert(ImagePlanes(frame), source, into: .rgb24(output.baseAddress!, width: width), scaled)
            return
        }
        let scaledBytes = place.width * place.height * 3
        if scratch.count != scaledBytes { scratch = [UInt8](repeating: 0, count: scaledBytes) }
        try scratch.withUnsafeMutableBufferPointer { buffer in
            try converter.convert(ImagePlanes(frame), source, into: .rgb24(buffer.baseAddress!, width: place.width), scaled)
            copyOverlap(from: UnsafeBufferPointer(buffer), place, into: output)
        }
    }

    /// Copies the part of the scaled image that lies inside the target; the rest of the target is black.
    private func copyOverlap(from scaled: UnsafeBufferPointer<UInt8>, _ place: FitPolicy.Placement,
                             into output: UnsafeMutableBufferPointer<UInt8>) {
        if place.x > 0 || place.y > 0 {
            output.baseAddress!.update(repeating: 0, count: width * height * 3)
        }
        let x0 = max(0, place.x), x1 = min(width, place.x + place.width)
        let y0 = max(0, place.y), y1 = min(height, place.y + place.height)
        guard x1 > x0, y1 > y0 else { return }
        let rowBytes = (x1 - x0) * 3
        for y in y0..<y1 {
            let from = ((y - place.y) * place.width + (x0 - place.x)) * 3
            let to = (y * width + x0) * 3
            (output.baseAddress! + to).update(from: scaled.baseAddress! + from, count: rowBytes)
        }
    }

    /// The frame's layout, with the deprecated full-range "yuvj" formats named as what they are
    /// (plain YUV in full range), which also keeps swscale from warning on every MJPEG file.
    static func layout(of frame: UnsafeMutablePointer<AVFrame>) -> ImageLayout {
        var format = AVPixelFormat(rawValue: frame.pointee.format)
        var fullRange = frame.pointee.color_range == AVCOL_RANGE_JPEG
        switch format {
        case AV_PIX_FMT_YUVJ420P: format = AV_PIX_FMT_YUV420P; fullRange = true
        case AV_PIX_FMT_YUVJ422P: format = AV_PIX_FMT_YUV422P; fullRange = true
        case AV_PIX_FMT_YUVJ444P: format = AV_PIX_FMT_YUV444P; fullRange = true
        default: break
        }
        return ImageLayout(width: Int(frame.pointee.width), height: Int(frame.pointee.height), format: format,
                           fullRange: fullRange, colorSpace: Int32(frame.pointee.colorspace.rawValue))
    }
}

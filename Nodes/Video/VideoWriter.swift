import CFFmpeg
import FlowKit
import Foundation

/// Encodes packed RGB24 frames into a file (or a numbered image sequence) with libavcodec/libavformat.
/// Every libav* object is owned here and freed by `close()`, on every path; `finish()` writes the trailer.
final class VideoWriter {
    let path: String
    let settings: EncoderSettings
    /// Frames handed to the encoder so far.
    private(set) var framesWritten = 0

    private var format: UnsafeMutablePointer<AVFormatContext>?
    private var encoder: UnsafeMutablePointer<AVCodecContext>?
    private var stream: UnsafeMutablePointer<AVStream>?
    private var frame: UnsafeMutablePointer<AVFrame>?
    private var packet: UnsafeMutablePointer<AVPacket>?
    private let converter = PixelConverter()
    private var frameLayout: ImageLayout
    private var headerWritten = false
    /// Tests only: the file behind a simulated full disk (`DiskFullInjection`).
    private var capped: CappedFileOutput?
    /// Fragmented MP4: the file's length after the last whole fragment reached it, and whether a write failed
    /// since. A failed write (a full disk) can leave half a fragment, which makes players refuse the whole file,
    /// so `finish` cuts the file back to the whole fragments.
    private var wholeFragmentBytes: Int64 = 0
    private(set) var writeFailed = false
    /// Frames in the whole fragments (`wholeFragmentBytes`). A fragment is written when the next keyframe's
    /// packet reaches the muxer, so the frames before the newest keyframe are whole once flushed (x264's GOPs are
    /// closed: those packets are exactly the first frames in display order).
    private(set) var wholeFragmentFrames = 0
    private var packetsWritten = 0
    private var packetsBeforeNewestKeyframe = 0

    init(path: String, settings: EncoderSettings) throws {
        _ = ffmpegLoggingConfigured
        self.path = path
        self.settings = settings
        frameLayout = ImageLayout(width: settings.width, height: settings.height, format: AV_PIX_FMT_RGB24)
        do { try open() } catch { close(); throw error }
    }

    deinit { close() }

    /// Encodes `count` frames laid out one after another in `rgb` (width × height × 3 bytes each).
    func write(rgb: UnsafeBufferPointer<UInt8>, count: Int) throws {
        let frameBytes = settings.width * settings.height * 3
        precondition(rgb.count >= count * frameBytes, "VideoWriter.write: buffer holds fewer than \(count) frames")
        guard let encoder, let frame, let base = rgb.baseAddress else { throw closedError() }
        let rgbLayout = ImageLayout(width: settings.width, height: settings.height, format: AV_PIX_FMT_RGB24)
        for index in 0..<count {
            // The encoder may still reference the previous frame's buffers (lookahead); copy-on-write.
            try ffCheck(av_frame_make_writable(frame), "preparing a frame buffer")
            let source = ImagePlanes.rgb24(UnsafeMutablePointer(mutating: base + index * frameBytes), width: settings.width)
            try converter.convert(source, rgbLayout, into: ImagePlanes(frame), frameLayout)
            frame.pointee.pts = Int64(framesWritten)
            if settings.format == .mjpeg { frame.pointee.quality = encoder.pointee.global_quality }
            try ffCheck(avcodec_send_frame(encoder, frame), "encoding frame \(framesWritten)")
            framesWritten += 1
            try drainPackets()
        }
        // A reader of a growing file (fmp4, mkv) should see finished fragments now, not when a buffer fills.
        if settings.format != .png, let io = format?.pointee.pb {
            avio_flush(io)
            if io.pointee.error == 0 && !writeFailed {
                wholeFragmentBytes = avio_tell(io)
                wholeFragmentFrames = packetsBeforeNewestKeyframe
            }
        }
    }

    /// Flushes the encoder, writes the trailer and closes the file. Safe to call once per writer;
    /// frees everything even when a step fails, and reports the first failure.
    func finish() throws {
        defer {
            close()
            cutToWholeFragments()
        }
        var firstError: Error?
        if let encoder {
            do {
                try ffCheck(avcodec_send_frame(encoder, nil), "flushing the encoder")
                try drainPackets()
            } catch { firstError = error }
        }
        if headerWritten, let format {
            headerWritten = false
            let status = av_write_trailer(format)
            if status < 0 { writeFailed = true }
            if status < 0, firstError == nil { firstError = FFmpegError(operation: "writing the trailer of \(path)", code: status) }
        }
        if firstError == nil && !writeFailed { wholeFragmentFrames = framesWritten }
        if let firstError { throw firstError }
    }

    /// Frees every libav* object; idempotent. Without `finish()` first, the file has no trailer.
    func close() {
        if let format {
            if let capped {
                format.pointee.pb = nil
                capped.close()
                self.capped = nil
            } else if format.pointee.oformat.pointee.flags & AVFMT_NOFILE == 0 {
                avio_closep(&format.pointee.pb)
            }
            avformat_free_context(format)
            self.format = nil
            stream = nil
        }
        avcodec_free_context(&encoder)
        av_frame_free(&frame)
        av_packet_free(&packet)
    }

    // MARK: - Setup

    private func open() throws {
        let muxer = settings.format.muxerName(for: path)
        try ffCheck(avformat_alloc_output_context2(&format, nil, muxer, path), "creating a \(muxer) muxer for \(path)")
        guard let format else { throw closedError() }

        let codec = try findEncoder()
        encoder = avcodec_alloc_context3(codec)
        guard let encoder else { throw FFmpegError(operation: "allocating the encoder", code: -Int32(ENOMEM)) }
        try configure(encoder)
        if format.pointee.oformat.pointee.flags & AVFMT_GLOBALHEADER != 0 {
            // MP4 keeps SPS/PPS in the moov (avcC); fragmented MP4 needs them before the first fragment.
            encoder.pointee.flags |= AV_CODEC_FLAG_GLOBAL_HEADER
        }
        try openEncoder(encoder, codec)

        stream = avformat_new_stream(format, nil)
        guard let stream else { throw FFmpegError(operation: "adding a video stream", code: -Int32(ENOMEM)) }
        stream.pointee.time_base = encoder.pointee.time_base
        stream.pointee.avg_frame_rate = encoder.pointee.framerate
        try ffCheck(avcodec_parameters_from_context(stream.pointee.codecpar, encoder), "copying encoder parameters")

        frame = av_frame_alloc()
        packet = av_packet_alloc()
        guard let frame, packet != nil else { throw FFmpegError(operation: "allocating frames", code: -Int32(ENOMEM)) }
        frame.pointee.format = encoder.pointee.pix_fmt.rawValue
        frame.pointee.width = encoder.pointee.width
        frame.pointee.height = encoder.pointee.height
        try ffCheck(av_frame_get_buffer(frame, 0), "allocating a frame buffer")

        if format.pointee.oformat.pointee.flags & AVFMT_NOFILE == 0, let capacity = DiskFullInjection.capacity(for: path) {
            let output = try CappedFileOutput(path: path, capacity: capacity)
            capped = output
            format.pointee.pb = output.context
        } else if format.pointee.oformat.pointee.flags & AVFMT_NOFILE == 0 {
            try ffCheck(avio_open(&format.pointee.pb, path, AVIO_FLAG_WRITE), "opening \(path) for writing")
        }
        try writeHeader(format)
        if let io = format.pointee.pb {
            avio_flush(io)
            if io.pointee.error == 0 { wholeFragmentBytes = avio_tell(io) }
        }
    }

    private func findEncoder() throws -> UnsafePointer<AVCodec> {
        let found: UnsafePointer<AVCodec>?
        switch settings.format {
        case .mp4, .fmp4: found = avcodec_find_encoder_by_name("libx264")
        case .mjpeg: found = avcodec_find_encoder(AV_CODEC_ID_MJPEG)
        case .png: found = avcodec_find_encoder(AV_CODEC_ID_PNG)
        }
        guard let found else {
            throw FFmpegError(operation: "this FFmpeg has no encoder for \(settings.format.rawValue)", code: FFmpegError.invalidData)
        }
        return found
    }

    private func configure(_ encoder: UnsafeMutablePointer<AVCodecContext>) throws {
        let rate = av_d2q(settings.fps, 1_001_000)
        guard rate.num > 0, rate.den > 0 else {
            throw FFmpegError(operation: "frame rate \(settings.fps) is not usable", code: FFmpegError.invalidData)
        }
        encoder.pointee.width = Int32(settings.width)
        encoder.pointee.height = Int32(settings.height)
        encoder.pointee.framerate = rate
        encoder.pointee.time_base = av_inv_q(rate)
        encoder.pointee.gop_size = Int32(settings.effectiveKeyframeInterval)
        encoder.pointee.thread_count = Int32(max(0, settings.threads))

        switch settings.format {
        case .png:
            encoder.pointee.pix_fmt = AV_PIX_FMT_RGB24
        case .mp4, .fmp4, .mjpeg:
            let yuv = av_get_pix_fmt(settings.pixelFormat)
            guard yuv != AV_PIX_FMT_NONE else {
                throw FFmpegError(operation: "unknown pixel format '\(settings.pixelFormat)'", code: FFmpegError.invalidData)
            }
            encoder.pointee.pix_fmt = yuv
            encoder.pointee.colorspace = AVCOL_SPC_SMPTE170M
            encoder.pointee.color_primaries = AVCOL_PRI_SMPTE170M
            encoder.pointee.color_trc = AVCOL_TRC_SMPTE170M
            // JPEG is full range by definition; H.264 players assume limited range unless told otherwise.
            encoder.pointee.color_range = settings.format == .mjpeg ? AVCOL_RANGE_JPEG : AVCOL_RANGE_MPEG
        }
        if settings.format == .mjpeg {
            encoder.pointee.flags |= AV_CODEC_FLAG_QSCALE
            encoder.pointee.global_quality = Int32(settings.mjpegQuality) * FF_QP2LAMBDA
        }
        if settings.format == .mp4 || settings.format == .fmp4, settings.bitrateKbps > 0 {
            encoder.pointee.bit_rate = Int64(settings.bitrateKbps) * 1000
        }
        frameLayout = ImageLayout(width: settings.width, height: settings.height, format: encoder.pointee.pix_fmt,
                                  fullRange: encoder.pointee.color_range == AVCOL_RANGE_JPEG,
                                  colorSpace: Int32(encoder.pointee.colorspace.rawValue))
    }

    private func openEncoder(_ encoder: UnsafeMutablePointer<AVCodecContext>, _ codec: UnsafePointer<AVCodec>) throws {
        var options: OpaquePointer?
        defer { av_dict_free(&options) }
        if settings.format == .mp4 || settings.format == .fmp4 {
            av_dict_set(&options, "preset", settings.preset, 0)
            if settings.bitrateKbps <= 0 { av_dict_set(&options, "crf", String(settings.crf), 0) }
            // A fragment ends at each keyframe; without scene-cut keyframes fragments come at a steady
            // cadence, so a viewer of the growing file lags by at most one keyframe interval.
            if settings.format == .fmp4 { av_dict_set(&options, "sc_threshold", "0", 0) }
            // libx264's AVX-512 MB-tree code (core 164, Debian 12) reads heap memory it never wrote when a
            // frame is not a multiple of 128 pixels wide (world-tiny's 64x64 is not): the bitstream then
            // depends on what the allocator hands out, and the same frames encode differently from run
            // to run. Its AVX2 code does not; on an AVX-512 CPU it also has AVX2, FMA3, BMI1/2 and LZCNT.
            if Self.cpuHasAVX512 { av_dict_set(&options, "x264-params", "asm=AVX2", 0) }
        }
        let status = avcodec_open2(encoder, codec, &options)
        if status < 0 {
            throw FFmpegError(operation: "opening the \(String(cString: codec.pointee.name)) encoder at \(settings.width)x\(settings.height) \(settings.pixelFormat)", code: status)
        }
        try rejectUnusedOptions(options, "encoder")
    }

    /// Whether x264 would pick its AVX-512 code on this CPU (it needs F, CD, BW, DQ and VL).
    static let cpuHasAVX512 = ["avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"].allSatisfy(CPUFeatures.current().flags.contains)

    private func writeHeader(_ format: UnsafeMutablePointer<AVFormatContext>) throws {
        var options: OpaquePointer?
        defer { av_dict_free(&options) }
        switch settings.format {
        case .fmp4:
            // An empty moov up front, a fragment at every keyframe, offsets relative to each moof:
            // what browsers and players need to play a file that is still growing.
            av_dict_set(&options, "movflags", "frag_keyframe+empty_moov+default_base_moof", 0)
        case .png:
            // Number files from 0 so a file's number is the frame's index in the stream.
            av_dict_set(&options, "start_number", "0", 0)
        case .mp4, .mjpeg:
            break
        }
        try ffCheck(avformat_write_header(format, &options), "writing the header of \(path)")
        headerWritten = true
        try rejectUnusedOptions(options, "muxer")
    }

    /// libav* leaves options it did not recognise in the dictionary; silently ignoring one hides a bug.
    private func rejectUnusedOptions(_ options: OpaquePointer?, _ component: String) throws {
        guard let entry = av_dict_get(options, "", nil, AV_DICT_IGNORE_SUFFIX) else { return }
        throw FFmpegError(operation: "the \(component) did not accept option '\(String(cString: entry.pointee.key))'",
                          code: FFmpegError.invalidData)
    }

    // MARK: - Encoding

    private func drainPackets() throws {
        guard let encoder, let packet, let format, let stream else { throw closedError() }
        while true {
            let status = avcodec_receive_packet(encoder, packet)
            if status == FFmpegError.again || status == FFmpegError.endOfFile { return }
            try ffCheck(status, "encoding")
            av_packet_rescale_ts(packet, encoder.pointee.time_base, stream.pointee.time_base)
            packet.pointee.stream_index = stream.pointee.index
            // Takes the packet's reference and leaves it blank, on success and failure alike.
            if packet.pointee.flags & AV_PKT_FLAG_KEY != 0 { packetsBeforeNewestKeyframe = packetsWritten }
            let written = av_interleaved_write_frame(format, packet)
            if written < 0 { writeFailed = true }
            try ffCheck(written, "writing to \(path)")
            packetsWritten += 1
        }
    }

    /// After a failed write, a fragmented MP4 ends at its last whole fragment (the header alone if none was whole).
    private func cutToWholeFragments() {
        guard writeFailed, settings.format == .fmp4, wholeFragmentBytes > 0 else { return }
        _ = truncate(path, off_t(wholeFragmentBytes))
    }

    private func closedError() -> FFmpegError {
        FFmpegError(operation: "the writer for \(path) is closed", code: FFmpegError.invalidData)
    }
}

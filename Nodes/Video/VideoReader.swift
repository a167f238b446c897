import CFFmpeg

/// Demuxes and decodes the best video stream of any file libavformat can read, one frame at a time.
/// Owns every libav* object and frees them in `close()` on all paths.
final class VideoReader {
    let path: String
    /// Source frame size and rate as the container declares them.
    private(set) var width = 0
    private(set) var height = 0
    private(set) var frameRate = 0.0
    /// Declared duration in seconds, or nil when the container does not say (a live or unfinished file).
    private(set) var declaredDuration: Double?
    private(set) var codecName = ""

    private var format: UnsafeMutablePointer<AVFormatContext>?
    private var decoder: UnsafeMutablePointer<AVCodecContext>?
    private var frame: UnsafeMutablePointer<AVFrame>?
    private var packet: UnsafeMutablePointer<AVPacket>?
    private var streamIndex: Int32 = -1
    private var timeBase = AVRational(num: 1, den: 1)
    private var draining = false
    private var finished = false
    private var framesDecoded = 0
    /// Presentation span decoded so far, to tell a finished stream from a truncated one.
    private var firstTime: Double?
    private var endTime: Double?

    init(path: String) throws {
        _ = ffmpegLoggingConfigured
        self.path = path
        do { try open() } catch { close(); throw error }
    }

    deinit { close() }

    func close() {
        avformat_close_input(&format)
        avcodec_free_context(&decoder)
        av_frame_free(&frame)
        av_packet_free(&packet)
    }

    /// The next decoded frame, valid until the next call; nil at the end of the stream.
    /// The returned time is in seconds (nil when the file gives none); duration is the frame's own, if known.
    func nextFrame() throws -> (frame: UnsafeMutablePointer<AVFrame>, time: Double?, duration: Double?)? {
        guard !finished else { return nil }
        guard let format, let decoder, let frame, let packet else { throw ReaderError.closed(path) }
        while true {
            let received = avcodec_receive_frame(decoder, frame)
            if received == 0 {
                framesDecoded += 1
                let time = seconds(frame.pointee.best_effort_timestamp)
                let duration = durationOf(frame)
                if let time {
                    firstTime = firstTime ?? time
                    endTime = max(endTime ?? time, time + (duration ?? (frameRate > 0 ? 1 / frameRate : 0)))
                }
                return (frame, time, duration)
            }
            if received == FFmpegError.endOfFile {
                finished = true
                try checkNotCutShort()
                return nil
            }
            if received != FFmpegError.again {
                throw ReaderError.corrupt(path, "decoding the frame after \(framesDecoded) good ones: \(FFmpegError.message(for: received))")
            }
            if draining {
                finished = true
                try checkNotCutShort()
                return nil
            }
            let read = av_read_frame(format, packet)
            if read == FFmpegError.endOfFile {
                if let io = format.pointee.pb, io.pointee.error < 0 {
                    throw ReaderError.corrupt(path, "I/O error after \(framesDecoded) frames: \(FFmpegError.message(for: io.pointee.error))")
                }
                draining = true
                try ffCheck(avcodec_send_packet(decoder, nil), "flushing the decoder")
                continue
            }
            if read < 0 {
                throw ReaderError.corrupt(path, "reading after \(framesDecoded) frames: \(FFmpegError.message(for: read))")
            }
            defer { av_packet_unref(packet) }
            guard packet.pointee.stream_index == streamIndex else { continue }
            try checkComplete(packet, format)
            let sent = avcodec_send_packet(decoder, packet)
            if sent < 0, sent != FFmpegError.again {
                throw ReaderError.corrupt(path, "decoding the frame at \(describe(packet.pointee.pts)): \(FFmpegError.message(for: sent))")
            }
        }
    }

    // MARK: - Setup

    private func open() throws {
        let opened = avformat_open_input(&format, path, nil, nil)
        if opened < 0 { throw ReaderError.unreadable(path, FFmpegError.message(for: opened)) }
        guard let format else { throw ReaderError.closed(path) }
        let probed = avformat_find_stream_info(format, nil)
        if probed < 0 { throw ReaderError.corrupt(path, "reading stream information: \(FFmpegError.message(for: probed))") }

        var codec: UnsafePointer<AVCodec>?
        streamIndex = av_find_best_stream(format, AVMEDIA_TYPE_VIDEO, -1, -1, &codec, 0)
        if streamIndex < 0 {
            throw ReaderError.unreadable(path, streamIndex == cffmpeg_error_stream_not_found()
                                         ? "it has no video stream" : "no decoder for its video stream")
        }
        guard let codec, let stream = format.pointee.streams[Int(streamIndex)] else { throw ReaderError.unreadable(path, "no decoder for its video stream") }
        codecName = String(cString: codec.pointee.name)
        timeBase = stream.pointee.time_base

        decoder = avcodec_alloc_context3(codec)
        guard let decoder else { throw FFmpegError(operation: "allocating a decoder", code: -Int32(ENOMEM)) }
        try ffCheck(avcodec_parameters_to_context(decoder, stream.pointee.codecpar), "configuring the \(codecName) decoder")
        // Fail on damaged data instead of concealing it: a model fed concealment artefacts gives
        // silently wrong results, and the user asked for this file, not an approximation of it.
        decoder.pointee.err_recognition |= AV_EF_EXPLODE
        decoder.pointee.pkt_timebase = timeBase
        let status = avcodec_open2(decoder, codec, nil)
        if status < 0 { throw ReaderError.unreadable(path, "cannot open the \(codecName) decoder: \(FFmpegError.message(for: status))") }

        width = Int(decoder.pointee.width)
        height = Int(decoder.pointee.height)
        guard width > 0, height > 0 else { throw ReaderError.corrupt(path, "the video stream has no frame size") }
        frameRate = Self.rate(stream.pointee.avg_frame_rate) ?? Self.rate(stream.pointee.r_frame_rate) ?? 0
        if stream.pointee.duration != cffmpeg_no_pts(), stream.pointee.duration > 0 {
            declaredDuration = Double(stream.pointee.duration) * av_q2d(timeBase)
        } else if format.pointee.duration != cffmpeg_no_pts(), format.pointee.duration > 0 {
            declaredDuration = Double(format.pointee.duration) / Double(AV_TIME_BASE)
        }

        frame = av_frame_alloc()
        packet = av_packet_alloc()
        guard frame != nil, packet != nil else { throw FFmpegError(operation: "allocating frames", code: -Int32(ENOMEM)) }
    }

    /// A demuxer reaches "end of file" also when a file was cut off. A stream that stops well before the
    /// duration its container declares is a truncated file, not the end of the video.
    private func checkNotCutShort() throws {
        guard let declaredDuration else { return }
        let reached = (endTime ?? 0) - (firstTime ?? 0)
        if declaredDuration - reached > max(0.5, 0.05 * declaredDuration) {
            throw ReaderError.truncated(path, declared: declaredDuration, reached: reached)
        }
    }

    /// A demuxer hands out the short tail of a cut-off file as a packet flagged corrupt; say "truncated"
    /// when the packet runs past the end of the file, since that is what the user needs to know.
    private func checkComplete(_ packet: UnsafeMutablePointer<AVPacket>, _ format: UnsafeMutablePointer<AVFormatContext>) throws {
        guard packet.pointee.flags & AV_PKT_FLAG_CORRUPT != 0 else { return }
        let fileSize = format.pointee.pb.map { avio_size($0) } ?? -1
        let end = packet.pointee.pos >= 0 ? packet.pointee.pos + Int64(packet.pointee.size) : -1
        if fileSize > 0, end >= fileSize || packet.pointee.pos < 0 {
            throw ReaderError.cutOff(path, "the frame at \(describe(packet.pointee.pts)) runs past the end of the file (\(fileSize) bytes)")
        }
        throw ReaderError.corrupt(path, "the frame at \(describe(packet.pointee.pts)) is damaged")
    }

    private func describe(_ timestamp: Int64) -> String {
        guard let time = seconds(timestamp) else { return "an unknown time" }
        return String(Double(Int((time * 1000).rounded())) / 1000) + " s"
    }

    private func seconds(_ timestamp: Int64) -> Double? {
        timestamp == cffmpeg_no_pts() ? nil : Double(timestamp) * av_q2d(timeBase)
    }

    private func durationOf(_ frame: UnsafeMutablePointer<AVFrame>) -> Double? {
        frame.pointee.pkt_duration > 0 ? Double(frame.pointee.pkt_duration) * av_q2d(timeBase) : nil
    }

    private static func rate(_ r: AVRational) -> Double? {
        r.num > 0 && r.den > 0 ? av_q2d(r) : nil
    }
}

/// Why a video cannot be read, worded for the person who named the file.
enum ReaderError: Error, CustomStringConvertible {
    case unreadable(String, String)
    case corrupt(String, String)
    case truncated(String, declared: Double, reached: Double)
    case cutOff(String, String)
    case closed(String)

    var description: String {
        switch self {
        case .unreadable(let path, let why): return "cannot read '\(path)' as video: \(why)"
        case .corrupt(let path, let why): return "'\(path)' is corrupt: \(why)"
        case .truncated(let path, let declared, let reached):
            return "'\(path)' is truncated: it declares \(format(declared)) s of video but ends at \(format(reached)) s"
        case .cutOff(let path, let why): return "'\(path)' is truncated: \(why)"
        case .closed(let path): return "the reader for '\(path)' is closed"
        }
    }

    private func format(_ seconds: Double) -> String { String(Double(Int((seconds * 100).rounded())) / 100) }
}

import CFFmpeg

/// A failed libav* call: what we were doing and libavutil's own words for the code.
struct FFmpegError: Error, CustomStringConvertible {
    var operation: String
    var code: Int32

    var description: String { "\(operation): \(FFmpegError.message(for: code))" }

    static func message(for code: Int32) -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        let count = buffer.count
        buffer.withUnsafeMutableBufferPointer { cffmpeg_error_string(code, $0.baseAddress, count) }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static var again: Int32 { cffmpeg_error_again() }
    static var endOfFile: Int32 { cffmpeg_error_eof() }
    static var invalidData: Int32 { cffmpeg_error_invalid_data() }
}

/// Throws when a libav* call returned a negative code; passes non-negative results through.
@discardableResult
func ffCheck(_ code: Int32, _ operation: @autoclosure () -> String) throws -> Int32 {
    if code < 0 { throw FFmpegError(operation: operation(), code: code) }
    return code
}

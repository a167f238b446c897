/// Prompt text that arrives as bytes (a file, a pipe, a raw argv) is checked here, so that invalid
/// UTF-8 is reported with its position instead of being silently replaced.
public enum UTF8Text {
    public struct InvalidUTF8: Error, CustomStringConvertible, Sendable {
        /// Offset of the first byte that does not decode.
        public let offset: Int
        public let byte: UInt8
        public var description: String {
            "prompt is not valid UTF-8: byte 0x\(String(byte, radix: 16, uppercase: true)) at offset \(offset) does not decode; save the text as UTF-8"
        }
    }

    public static func decode(_ bytes: [UInt8]) throws -> String {
        if let text = String(validating: bytes, as: UTF8.self) { return text }
        let offset = firstInvalidOffset(bytes)
        throw InvalidUTF8(offset: offset, byte: bytes[offset])
    }

    /// The offset at which decoding first fails (only called when it does).
    private static func firstInvalidOffset(_ bytes: [UInt8]) -> Int {
        var decoder = UTF8()
        var iterator = bytes.makeIterator()
        var offset = 0
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let s): offset += UTF8.width(s)
            case .emptyInput: return max(0, bytes.count - 1)
            case .error: return min(offset, bytes.count - 1)
            }
        }
    }
}

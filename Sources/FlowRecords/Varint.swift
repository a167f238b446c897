/// Protobuf's base-128 varint, the length prefix of every record (the same framing as protobuf's
/// writeDelimitedTo / parseDelimitedFrom, so other languages read the files with their own library).
enum Varint {
    static func encode(_ value: UInt64) -> [UInt8] {
        var v = value
        var out: [UInt8] = []
        repeat {
            let low = UInt8(v & 0x7F)
            v >>= 7
            out.append(v == 0 ? low : low | 0x80)
        } while v != 0
        return out
    }

    enum Decoded: Equatable {
        case value(UInt64, bytes: Int)
        /// The bytes end before the varint does.
        case truncated
        /// More than 10 bytes, or a 10th byte above 1: not a 64-bit varint.
        case overlong
    }

    static func decode(_ bytes: UnsafeRawBufferPointer, at start: Int) -> Decoded {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        var i = start
        while true {
            guard i < bytes.count else { return .truncated }
            let byte = bytes[i]
            if shift == 63 && byte > 1 { return .overlong }
            value |= UInt64(byte & 0x7F) << shift
            i += 1
            if byte & 0x80 == 0 { return .value(value, bytes: i - start) }
            shift += 7
            if shift > 63 { return .overlong }
        }
    }
}

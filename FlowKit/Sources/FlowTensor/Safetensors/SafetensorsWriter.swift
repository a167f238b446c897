#if canImport(Glibc)
import Glibc
#endif

/// Writes safetensors files with every tensor's bytes aligned for its dtype (header space-padded
/// to 8 bytes, widest dtypes first), so readers can map every tensor without copying.
public enum SafetensorsWriter {
    /// The file's bytes.
    public static func encode(_ tensors: [String: Tensor], metadata: [String: String] = [:]) -> [UInt8] {
        let names = tensors.keys.sorted()
        var json = "{"
        var parts = [String]()
        if !metadata.isEmpty {
            let pairs = metadata.keys.sorted().map { "\(quoted($0)):\(quoted(metadata[$0]!))" }
            parts.append("\"__metadata__\":{\(pairs.joined(separator: ","))}")
        }
        // Lay data out widest element first: every offset is then a multiple of its tensor's
        // element size (the data section starts 8-aligned), with no gaps, which the format forbids.
        let dataOrder = names.sorted { (tensors[$0]!.dtype.byteSize, $1) > (tensors[$1]!.dtype.byteSize, $0) }
        var offsets = [String: Int](), offset = 0
        for name in dataOrder {
            let t = tensors[name]!
            offsets[name] = offset
            offset += t.count * t.dtype.byteSize
        }
        for name in names {
            let t = tensors[name]!, start = offsets[name]!
            let shape = t.shape.map(String.init).joined(separator: ",")
            parts.append("\(quoted(name)):{\"dtype\":\"\(t.dtype.safetensorsName)\",\"shape\":[\(shape)],\"data_offsets\":[\(start),\(start + t.count * t.dtype.byteSize)]}")
        }
        json += parts.joined(separator: ",") + "}"
        var header = Array(json.utf8)
        while (8 + header.count) % 8 != 0 { header.append(0x20) }
        var out = [UInt8]()
        out.reserveCapacity(8 + header.count + offset)
        withUnsafeBytes(of: UInt64(header.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(contentsOf: header)
        for name in dataOrder { tensors[name]!.withUnsafeBytes { out.append(contentsOf: $0) } }
        return out
    }

    /// Writes `tensors` to `path` (via a temporary file and rename, so readers never see half a file).
    public static func write(_ tensors: [String: Tensor], metadata: [String: String] = [:], to path: String) throws {
        let bytes = encode(tensors, metadata: metadata)
        let temporary = path + ".partial"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw SafetensorsError(path: path, reason: "cannot create (\(String(cString: strerror(errno))))") }
        var written = 0
        let ok = bytes.withUnsafeBytes { raw -> Bool in
            while written < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + written, raw.count - written)
                if n <= 0 { return false }
                written += n
            }
            return true
        }
        close(fd)
        guard ok, rename(temporary, path) == 0 else {
            unlink(temporary)
            throw SafetensorsError(path: path, reason: "write failed (\(String(cString: strerror(errno))))")
        }
    }

    static func quoted(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 {
                    let hex = String(u.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out + "\""
    }
}

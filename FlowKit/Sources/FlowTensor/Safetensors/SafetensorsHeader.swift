/// A validated safetensors header: every entry's dtype, shape and byte range, checked against the
/// data section size and each other. Works on plain bytes so it can be fuzzed without files.
public struct SafetensorsHeader: Sendable {
    /// One tensor's description.
    public struct Entry: Sendable, Equatable {
        public let dtype: DType
        public let shape: [Int]
        /// Byte range inside the data section (after the 8-byte length and the JSON).
        public let dataRange: Range<Int>
    }

    /// Tensors by name.
    public let entries: [String: Entry]
    /// Free-form string metadata from `__metadata__`.
    public let metadata: [String: String]
    /// Offset of the data section from the start of the file.
    public let dataStart: Int

    /// Largest header we accept. Real headers are kilobytes; this bounds work on lying lengths.
    public static let maxHeaderLength = 100 << 20

    /// Validates the start of a file of `bytes`; `path` only labels errors.
    public init(bytes: UnsafeRawBufferPointer, path: String) throws {
        func reject(_ reason: String, _ tensor: String? = nil) -> SafetensorsError {
            SafetensorsError(path: path, tensor: tensor, reason: reason)
        }
        guard bytes.count >= 8 else { throw reject("file is \(bytes.count) bytes, too short for the 8-byte header length") }
        let declared = UInt64(littleEndian: bytes.loadUnaligned(as: UInt64.self))
        guard declared <= UInt64(Self.maxHeaderLength) else {
            throw reject("header length \(declared) exceeds the \(Self.maxHeaderLength)-byte limit")
        }
        let headerLength = Int(declared)
        guard headerLength <= bytes.count - 8 else {
            throw reject("header length \(headerLength) runs past the end of the \(bytes.count)-byte file")
        }
        dataStart = 8 + headerLength
        let dataSize = bytes.count - dataStart
        let root: JSONValue
        do {
            root = try JSONValue.parse(UnsafeRawBufferPointer(rebasing: bytes[8..<dataStart]))
        } catch let e as JSONValue.ParseError {
            throw reject("header is not valid JSON at byte \(8 + e.offset): \(e.reason)")
        }
        guard case .object(let members) = root else { throw reject("header is not a JSON object") }

        var entries = [String: Entry](), metadata = [String: String]()
        for (name, value) in members {
            if name == "__metadata__" {
                guard case .object(let pairs) = value else { throw reject("__metadata__ is not an object") }
                for (k, v) in pairs {
                    guard case .string(let s) = v else { throw reject("__metadata__ value for '\(k)' is not a string") }
                    metadata[k] = s
                }
                continue
            }
            guard entries[name] == nil else { throw reject("tensor listed twice", name) }
            entries[name] = try Self.entry(name: name, value: value, dataSize: dataSize, reject: reject)
        }
        // No two tensors may share bytes.
        let ordered = entries.filter { !$0.value.dataRange.isEmpty }.sorted { $0.value.dataRange.lowerBound < $1.value.dataRange.lowerBound }
        for (previous, next) in zip(ordered, ordered.dropFirst()) where next.value.dataRange.lowerBound < previous.value.dataRange.upperBound {
            throw reject("bytes \(next.value.dataRange) overlap tensor '\(previous.key)' at \(previous.value.dataRange)", next.key)
        }
        self.entries = entries
        self.metadata = metadata
    }

    private static func entry(name: String, value: JSONValue, dataSize: Int,
                              reject: (String, String?) -> SafetensorsError) throws -> Entry {
        guard case .object(let fields) = value else { throw reject("entry is not an object", name) }
        func field(_ key: String) throws -> JSONValue {
            guard let v = fields.first(where: { $0.0 == key })?.1 else { throw reject("missing '\(key)'", name) }
            return v
        }
        guard case .string(let dtypeName) = try field("dtype") else { throw reject("dtype is not a string", name) }
        guard let dtype = DType(safetensorsName: dtypeName) else { throw reject("unsupported dtype '\(dtypeName)'", name) }
        guard case .array(let dims) = try field("shape") else { throw reject("shape is not an array", name) }
        var shape = [Int]()
        var elements = 1
        for dim in dims {
            guard case .integer(let v) = dim, v >= 0, v <= Int64(Int.max) else { throw reject("shape \(dims.count)-d has a non-integer or negative extent", name) }
            shape.append(Int(v))
            let (p, overflow) = elements.multipliedReportingOverflow(by: Int(v))
            guard !overflow else { throw reject("shape \(shape) overflows", name) }
            elements = p
        }
        let (byteCount, overflow) = elements.multipliedReportingOverflow(by: dtype.byteSize)
        guard !overflow else { throw reject("shape \(shape) of \(dtypeName) overflows", name) }
        guard case .array(let offsets) = try field("data_offsets"), offsets.count == 2,
              case .integer(let begin) = offsets[0], case .integer(let end) = offsets[1] else {
            throw reject("data_offsets is not a pair of integers", name)
        }
        guard begin >= 0, begin <= end else { throw reject("data_offsets [\(begin), \(end)] are reversed or negative", name) }
        guard end <= Int64(dataSize) else { throw reject("data_offsets end \(end) is past the \(dataSize)-byte data section", name) }
        guard end - begin == Int64(byteCount) else {
            throw reject("data_offsets span \(end - begin) bytes but shape \(shape) of \(dtypeName) needs \(byteCount)", name)
        }
        return Entry(dtype: dtype, shape: shape, dataRange: Int(begin)..<Int(end))
    }
}

import Foundation

/// Reads length-delimited records (`RecordWriter`'s files) one after the other. The whole file is read
/// once; a record's bytes are handed out as a slice of it. A prefix that is not a varint, a length past
/// `maxRecordBytes` or past the end of the file is a `RecordError` naming the record and its byte offset.
public struct RecordReader: Sequence, IteratorProtocol {
    public struct Record: Sendable {
        /// 0-based index in the file and the byte offset of its length prefix.
        public let index: Int
        public let offset: Int
        public let bytes: ArraySlice<UInt8>
    }

    public let path: String
    /// Records longer than this are refused without allocating (a hostile length prefix cannot exhaust memory).
    public let maxRecordBytes: Int
    private let data: [UInt8]
    private var position = 0
    private var index = 0
    fileprivate(set) var failed = false

    public init(path: String, maxRecordBytes: Int = 1 << 30) throws {
        guard let contents = FileManager.default.contents(atPath: path) else {
            throw RecordError(.io, path: path, record: nil, offset: nil, "cannot read the file (missing or unreadable)")
        }
        self.init(bytes: [UInt8](contents), path: path, maxRecordBytes: maxRecordBytes)
    }

    /// Records held in memory; `path` names them in errors.
    public init(bytes: [UInt8], path: String = "<memory>", maxRecordBytes: Int = 1 << 30) {
        self.path = path
        self.data = bytes
        self.maxRecordBytes = maxRecordBytes
    }

    /// Total bytes of the file.
    public var byteCount: Int { data.count }

    /// The next record, nil at a clean end of file; throws once at the first damage, then ends.
    public mutating func nextRecord() throws -> Record? {
        guard !failed, position < data.count else { return nil }
        let start = position
        let decoded = data.withUnsafeBytes { Varint.decode($0, at: start) }
        func fail(_ kind: RecordError.Kind, _ detail: String) -> RecordError {
            failed = true
            return RecordError(kind, path: path, record: index, offset: start, detail)
        }
        switch decoded {
        case .truncated:
            throw fail(.truncated, "the file ends inside the record's length prefix (\(data.count - start) byte(s) left)")
        case .overlong:
            throw fail(.badLength, "the length prefix is not a varint of at most 64 bits")
        case .value(let length, let prefixBytes):
            guard length <= UInt64(maxRecordBytes) else {
                throw fail(.badLength, "the record claims \(length) bytes, more than the \(maxRecordBytes) allowed")
            }
            let body = start + prefixBytes
            guard Int(length) <= data.count - body else {
                throw fail(.truncated, "the record claims \(length) bytes but the file has \(data.count - body) after its prefix")
            }
            position = body + Int(length)
            defer { index += 1 }
            return Record(index: index, offset: start, bytes: data[body..<position])
        }
    }

    /// Sequence conformance for a file known to be sound; damage ends the iteration (use `nextRecord` to see why).
    public mutating func next() -> Record? { try? nextRecord() }

    /// Every record, or the first damage.
    public static func readAll(path: String, maxRecordBytes: Int = 1 << 30) throws -> [Record] {
        var reader = try RecordReader(path: path, maxRecordBytes: maxRecordBytes)
        var out: [Record] = []
        while let r = try reader.nextRecord() { out.append(r) }
        return out
    }
}

extension RecordReader {
    /// The next record decoded by `decode`, nil at a clean end; a decoding failure becomes a `RecordError`
    /// (`badMessage`) at this record's index and offset.
    public mutating func next<T>(_ decode: (ArraySlice<UInt8>) throws -> T) throws -> T? {
        guard let record = try nextRecord() else { return nil }
        do {
            return try decode(record.bytes)
        } catch let e as RecordError {
            throw e
        } catch {
            failed = true
            throw RecordError(.badMessage, path: path, record: record.index, offset: record.offset, "\(error)")
        }
    }
}

/// Why a record file could not be read, with where: the record's index (0-based) and the byte offset of
/// the record's length prefix in the file. Every failure of a truncated, corrupt or hostile file is one of these.
public struct RecordError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable, Equatable {
        /// The file ends inside a record's length prefix or body.
        case truncated
        /// The length prefix is not a valid varint, or claims more than the reader allows.
        case badLength
        /// The body is not a valid message of the expected schema, or breaks one of its rules.
        case badMessage
        /// The file could not be opened, read or written.
        case io
    }

    public let kind: Kind
    public let path: String
    /// Index of the record (0-based); nil for errors about the whole file.
    public let record: Int?
    /// Byte offset of the record's length prefix; nil for errors about the whole file.
    public let offset: Int?
    public let detail: String

    public init(_ kind: Kind, path: String, record: Int?, offset: Int?, _ detail: String) {
        self.kind = kind
        self.path = path
        self.record = record
        self.offset = offset
        self.detail = detail
    }

    public var description: String {
        guard let record, let offset else { return "\(path): \(detail)" }
        return "\(path): record \(record) at byte \(offset): \(detail)"
    }
}

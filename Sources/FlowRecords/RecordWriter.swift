import Foundation

/// Appends length-delimited records to a file: each record is its byte count as a varint, then the
/// bytes. Every `append` writes the whole record and flushes it, so a run that stops early leaves every
/// record it finished readable (at worst a torn last record, which the reader reports as truncated).
public final class RecordWriter {
    public let path: String
    private let handle: FileHandle
    public private(set) var count = 0
    public private(set) var bytesWritten = 0
    private var closed = false

    /// Creates (or truncates) the file at `path`; its folder must exist.
    public init(path: String) throws {
        self.path = path
        guard FileManager.default.createFile(atPath: path, contents: nil),
              let handle = FileHandle(forWritingAtPath: path) else {
            throw RecordError(.io, path: path, record: nil, offset: nil, "cannot create the file (does its folder exist and is it writable?)")
        }
        self.handle = handle
    }

    public func append(_ record: [UInt8]) throws {
        guard !closed else { throw RecordError(.io, path: path, record: count, offset: bytesWritten, "append after close") }
        let framed = Varint.encode(UInt64(record.count)) + record
        do {
            try handle.write(contentsOf: framed)
        } catch {
            throw RecordError(.io, path: path, record: count, offset: bytesWritten, "write failed: \(error.localizedDescription)")
        }
        count += 1
        bytesWritten += framed.count
    }

    /// Flushes to disk and closes; a second call does nothing.
    public func close() throws {
        guard !closed else { return }
        closed = true
        do {
            try handle.synchronize()
            try handle.close()
        } catch {
            throw RecordError(.io, path: path, record: nil, offset: nil, "close failed: \(error.localizedDescription)")
        }
    }

    deinit { if !closed { try? handle.close() } }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A whole file mapped read-only into memory. Unmapped when the last tensor using it goes away.
public final class MappedFile: @unchecked Sendable {
    /// Start of the mapping (never written: mapped PROT_READ).
    let base: UnsafeMutableRawPointer
    /// File size in bytes.
    public let size: Int
    /// The path it was opened from (for error messages).
    public let path: String

    /// Errors opening or mapping a file; each names the path.
    public struct OpenError: Error, CustomStringConvertible {
        public let path: String
        public let reason: String
        public var description: String { "\(path): \(reason)" }
    }

    /// Maps `path` read-only.
    public init(path: String) throws {
        self.path = path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw OpenError(path: path, reason: "cannot open (\(String(cString: strerror(errno))))") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw OpenError(path: path, reason: "cannot stat") }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw OpenError(path: path, reason: "not a regular file") }
        size = Int(info.st_size)
        if size == 0 {
            // mmap rejects empty lengths; an empty file still needs a valid (unused) base.
            base = UnsafeMutableRawPointer.allocate(byteCount: 1, alignment: 1)
            return
        }
        guard let p = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), p != MAP_FAILED else {
            throw OpenError(path: path, reason: "mmap failed (\(String(cString: strerror(errno))))")
        }
        base = p
    }

    /// The mapped bytes.
    public var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: size) }

    deinit {
        if size == 0 { base.deallocate() } else { munmap(base, size) }
    }
}

import CFFmpeg
import Foundation
import Synchronization

/// A file on a disk that fills up: it takes writes until it would pass `capacity` bytes, then writes what
/// fits and fails with ENOSPC, as write(2) does on a full file system. Tests register a capacity for a path
/// (`DiskFullInjection`) to check what a full disk leaves behind without needing to mount a small one; no
/// graph or param reaches it.
final class CappedFileOutput {
    private let fd: Int32
    private let capacity: Int64
    private var position: Int64 = 0
    private(set) var context: UnsafeMutablePointer<AVIOContext>?

    init(path: String, capacity: Int) throws {
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw FFmpegError(operation: "opening \(path) for writing", code: -errno) }
        self.capacity = Int64(capacity)
        let size: Int32 = 32 * 1024
        guard let buffer = av_malloc(Int(size)) else { closeDescriptor(fd); throw FFmpegError(operation: "allocating an output buffer", code: -Int32(ENOMEM)) }
        context = avio_alloc_context(buffer.assumingMemoryBound(to: UInt8.self), size, 1, Unmanaged.passUnretained(self).toOpaque(),
                                     nil, { opaque, buf, count in
            Unmanaged<CappedFileOutput>.fromOpaque(opaque!).takeUnretainedValue().write(buf!, Int(count))
        }, { opaque, offset, whence in
            Unmanaged<CappedFileOutput>.fromOpaque(opaque!).takeUnretainedValue().seek(offset, whence)
        })
    }

    private func write(_ bytes: UnsafeMutablePointer<UInt8>, _ count: Int) -> Int32 {
        let fits = Int(max(0, min(Int64(count), capacity - position)))
        let written = fits > 0 ? Foundation.write(fd, bytes, fits) : 0
        guard written >= 0 else { return -errno }
        position += Int64(written)
        return written < count ? -ENOSPC : Int32(written)
    }

    private func seek(_ offset: Int64, _ whence: Int32) -> Int64 {
        if whence & AVSEEK_SIZE != 0 {
            var st = stat()
            return fstat(fd, &st) == 0 ? Int64(st.st_size) : -1
        }
        let to = Int64(lseek(fd, off_t(offset), whence & ~AVSEEK_FORCE))
        if to >= 0 { position = to }
        return to
    }

    /// Flushes what the context holds (errors are already recorded in it), then frees it and closes the file.
    func close() {
        if let context {
            avio_flush(context)
            av_freep(&context.pointee.buffer)
            var c: UnsafeMutablePointer<AVIOContext>? = context
            avio_context_free(&c)
            self.context = nil
        }
        closeDescriptor(fd)
    }
}

private func closeDescriptor(_ fd: Int32) { _ = Foundation.close(fd) }

/// Capacities tests give output paths: `VideoWriter` writes such a path through a `CappedFileOutput`.
enum DiskFullInjection {
    private static let capacities = Mutex<[String: Int]>([:])

    static func set(_ path: String, capacity: Int?) { capacities.withLock { $0[path] = capacity } }
    static func capacity(for path: String) -> Int? { capacities.withLock { $0[path] } }
}

import Foundation

/// The bytes of a graph file, read with a bound. The size on disk is not trusted (a device or a pipe
/// has none: `include: /dev/zero` must not read forever), and a folder, a missing or unreadable file
/// each get a plain reason instead of Foundation's "The operation could not be completed".
enum GraphFileBytes {
    static func read(_ file: String, limit: Int) throws(GraphErrors) -> Data {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: file, isDirectory: &isFolder) else { throw unreadable(file, "no such file") }
        if isFolder.boolValue { throw unreadable(file, "it is a folder") }
        if let size = (try? FileManager.default.attributesOfItem(atPath: file))?[.size] as? Int, size > limit {
            throw tooBig(file, "is \(size) bytes", limit: limit)
        }
        // Opened without waiting, so a pipe nobody writes to reads as empty instead of blocking;
        // then reads block as usual.
        let fd = open(file, O_RDONLY | O_NONBLOCK)
        guard fd >= 0 else { throw unreadable(file, String(cString: strerror(errno))) }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
        let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        let data: Data
        do { data = try handle.read(upToCount: limit + 1) ?? Data() } catch { throw unreadable(file, reason(error)) }
        if data.count > limit { throw tooBig(file, "has more than \(limit) bytes", limit: limit) }
        return data
    }

    /// Nothing in the file can be pointed at; an include site, when there is one, takes the error.
    static func unreadable(_ file: String, _ reason: String) -> GraphErrors {
        GraphErrors([.error("cannot read graph file '\(file)': \(reason)", at: nil)])
    }

    static func tooBig(_ file: String, _ what: String, limit: Int) -> GraphErrors {
        GraphErrors([.error("graph file \(what); the limit is \(limit) bytes", at: SourceLocation(file: file, line: 1, column: 1))])
    }

    static func reason(_ error: Error) -> String {
        let ns = error as NSError
        if ns.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(ns.code))) }
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        return ns.localizedDescription
    }
}

import Foundation

/// glibc malloc's own totals (from malloc_info), to tell memory the program holds from memory the allocator keeps
/// free inside its arenas: RSS that grows while `inUse` stays flat is fragmentation, not a leak.
struct HeapStats: Sendable {
    var arenas = 0
    /// Bytes the arenas took from the system (brk / mmapped heaps), and the part of it that is free chunks.
    var systemBytes = 0
    var freeBytes = 0
    /// Chunks too large for an arena, mmapped one by one (returned to the system when freed).
    var mmapBytes = 0

    var inUseBytes: Int { systemBytes - freeBytes + mmapBytes }

    /// nil where the C library is not glibc (no malloc_info).
    static func current() -> HeapStats? {
        guard let info = GlibcMalloc.info else { return nil }
        var buffer: UnsafeMutablePointer<CChar>?
        var size = 0
        guard let stream = open_memstream(&buffer, &size) else { return nil }
        _ = info(0, stream)
        fclose(stream)
        guard let buffer else { return nil }
        defer { free(buffer) }
        return parse(String(cString: buffer))
    }

    /// The totals after the last </heap>: `<total type="fast|rest|mmap" count= size=>`, `<system type="current" size=>`.
    static func parse(_ xml: String) -> HeapStats {
        var s = HeapStats()
        s.arenas = xml.components(separatedBy: "<heap nr=").count - 1
        let tail = xml.range(of: "</heap>", options: .backwards).map { String(xml[$0.upperBound...]) } ?? xml
        for line in tail.split(separator: "\n") {
            guard let size = attribute("size", in: line).flatMap({ Int($0) }), let type = attribute("type", in: line) else { continue }
            switch (line.hasPrefix("<total"), line.hasPrefix("<system"), type) {
            case (true, _, "fast"), (true, _, "rest"): s.freeBytes += size
            case (true, _, "mmap"): s.mmapBytes += size
            case (_, true, "current"): s.systemBytes += size
            default: break
            }
        }
        return s
    }

    private static func attribute(_ name: String, in line: Substring) -> String? {
        guard let r = line.range(of: " \(name)=\"") else { return nil }
        let rest = line[r.upperBound...]
        return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
    }
}

/// glibc's malloc_info, looked up at run time (the Glibc module does not export malloc.h).
enum GlibcMalloc {
    typealias InfoFunction = @convention(c) (Int32, UnsafeMutablePointer<FILE>?) -> Int32

    static let info: InfoFunction? = symbol("malloc_info")

    private static func symbol<F>(_ name: String) -> F? {
        guard let p = dlsym(dlopen(nil, RTLD_NOW), name) else { return nil }
        return unsafeBitCast(p, to: F.self)
    }
}

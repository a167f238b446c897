import Foundation

#if os(Linux)
/// glibc's `int mallopt(int param, int value)`; malloc.h is not part of Swift's Glibc module.
@_silgen_name("mallopt") private func glibcMallopt(_ param: Int32, _ value: Int32) -> Int32
/// malloc.h's M_ARENA_MAX.
private let mArenaMax: Int32 = -8
#endif

/// glibc gives each busy thread a malloc arena of its own (up to 8 per core). K/V tensors made on the
/// denoiser's queue and freed on the cache manager's or the memory retriever's leave holes in arenas that
/// other threads rarely reuse, and a long run's RSS then grows without bound: an hour of
/// Graphs/longlive-rag.yaml grew ~7 MB a minute with glibc's default (807 MiB at the end), still grew 11% after
/// its bank filled with two arenas, and stayed flat to the MiB for the hour with one (LongLiveBench
/// --rag-minutes 60). A user's MALLOC_ARENA_MAX wins.
public enum MallocArenas {
    public static let limit = 1

    private static let applied: Void = {
        #if os(Linux)
        if ProcessInfo.processInfo.environment["MALLOC_ARENA_MAX"] == nil { _ = glibcMallopt(mArenaMax, Int32(limit)) }
        #endif
    }()

    /// Call early (before threads allocate); later calls do nothing.
    public static func apply() { _ = applied }
}

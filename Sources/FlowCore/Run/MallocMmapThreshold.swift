import Foundation

#if os(Linux)
/// glibc's `int mallopt(int param, int value)`; malloc.h is not part of Swift's Glibc module.
@_silgen_name("mallopt") private func glibcMallopt(_ param: Int32, _ value: Int32) -> Int32
/// malloc.h's M_MMAP_THRESHOLD.
private let mMmapThreshold: Int32 = -3
#endif

/// glibc serves a request of at least its mmap threshold (128 KiB at start) with an mmap of its own, and each time
/// such a chunk is freed it raises the threshold to that chunk's size and the trim threshold to twice that (up to
/// 32 / 64 MiB). Tensors made while the weights load and the first blocks run move both up, and from then on every
/// multi-MiB tensor lives in the arena, whose free chunks grew 25 -> 45 MiB over an f32 hour of
/// Graphs/longlive.yaml (RSS +8.2% from minute 1; malloc's bytes in use flat). A fixed threshold turns the
/// adaptation off. At 4 MiB (above every tensor the LongLive graphs make per block) nothing was mmapped in the steady
/// state and a 10-minute run was flat (-0.9%; glibc's default +6.8%), but a full f32 hour still swung 227-244 MiB with
/// the arena's free chunks (33 -> 46 MiB; +4.4% at the end). At 1 MiB the per-block tensors of 1-4 MiB are mmaps of
/// their own, given back when freed: the f32 hour stayed at 213-223 MiB (+0.09% at the end), and 10 s ran no slower
/// (three alternated pairs: f32 204/218/243 against 198/222/227 FPS, bf16 392/368/356 against 359/332/319). At 128 KiB
/// every per-block tensor is an mmap and 10 s bf16 ran 25-30% slower. A user's MALLOC_MMAP_THRESHOLD_ (or the GLIBC_TUNABLES
/// glibc.malloc.mmap_threshold) wins.
public enum MallocMmapThreshold {
    public static let bytes = 1 << 20

    private static let applied: Void = {
        #if os(Linux)
        let environment = ProcessInfo.processInfo.environment
        let tunables = environment["GLIBC_TUNABLES"] ?? ""
        if environment["MALLOC_MMAP_THRESHOLD_"] == nil && !tunables.contains("glibc.malloc.mmap_threshold") {
            _ = glibcMallopt(mMmapThreshold, Int32(bytes))
        }
        #endif
    }()

    /// Call early (before the weights load); later calls do nothing.
    public static func apply() { _ = applied }
}

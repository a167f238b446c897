import Dispatch

/// One run of keys and values for attention: [heads, tokens, headDim] each. May be a view into a
/// larger cache (only the last dimension must be contiguous); it is read in place, never copied.
public struct KVSegment: Sendable {
    public let keys: Tensor
    public let values: Tensor
    /// Position of the segment's first token, used by causal masks (e.g. sink frames keep their
    /// original positions while the window's are later).
    public let firstPosition: Int

    public init(keys: Tensor, values: Tensor, firstPosition: Int) {
        precondition(keys.rank == 3 && values.rank == 3, "KVSegment wants [heads, tokens, dim], got \(keys.shape) and \(values.shape)")
        precondition(keys.shape[0] == values.shape[0] && keys.shape[1] == values.shape[1],
                     "KVSegment keys \(keys.shape) and values \(values.shape) disagree")
        keys.requireF32("attention keys"); values.requireF32("attention values")
        self.keys = keys.strides[2] == 1 ? keys : keys.copied()
        self.values = values.strides[2] == 1 ? values : values.copied()
        self.firstPosition = firstPosition
    }

    public var tokens: Int { keys.shape[1] }
}

/// Which keys a query may see, by token position.
public enum AttentionMask: Sendable, Equatable {
    /// Every key.
    case none
    /// Keys at positions <= the query's.
    case causal
    /// Keys whose block (position / blockSize) is <= the query's block: full attention inside a
    /// block, causal across blocks.
    case blockCausal(blockSize: Int)

    @inline(__always)
    func allows(query q: Int, key k: Int) -> Bool {
        switch self {
        case .none: return true
        case .causal: return k <= q
        case .blockCausal(let size): return k / size <= q / size
        }
    }

    /// Offset in `keys` of the first key query `q` may not see (`keys.count` if it sees them all).
    /// Every mask here shows a prefix of positions (`allows` is monotone in the key), so masking a
    /// score row is one fill from that point instead of a test per key.
    func firstHiddenKey(query q: Int, keys: Range<Int>) -> Int {
        var low = 0, high = keys.count
        while low < high {
            let mid = (low + high) / 2
            if allows(query: q, key: keys.lowerBound + mid) { low = mid + 1 } else { high = mid }
        }
        return low
    }
}

extension Kernels {
    /// Scaled dot-product attention, softmax(q·kᵀ·scale + mask)·v, over keys gathered from several
    /// segments (e.g. sink + window + current block) without concatenating them.
    ///
    /// query [Hq, Tq, D]; each segment [Hkv, Tk_i, D] with Hq a multiple of Hkv (grouped-query).
    /// Computed in tiles with an online softmax, so no Tq × ΣTk score matrix is ever formed.
    /// Queries that see no key get zeros. Result [Hq, Tq, Dv].
    ///
    /// `parallelism` is how many (head, query tile) units run at once on Dispatch workers; by
    /// default the BLAS thread budget (`BLASRuntime.threads`). Tiles are sized so OpenBLAS never
    /// threads inside them, so the budget is not exceeded.
    public static func attention(query: Tensor, segments: [KVSegment], queryFirstPosition: Int = 0,
                                 mask: AttentionMask = .none, scale: Float? = nil, parallelism: Int? = nil) -> Tensor {
        query.requireF32("attention")
        precondition(query.rank == 3, "attention query must be [heads, tokens, dim], got \(query.shape)")
        let q = query.strides[2] == 1 ? query : query.copied()
        let heads = q.shape[0], tq = q.shape[1], d = q.shape[2]
        let dv = segments.first?.values.shape[2] ?? d
        for s in segments {
            precondition(s.keys.shape[2] == d && s.values.shape[2] == dv, "attention: segment dims disagree with the query")
            precondition(s.keys.shape[0] > 0 && heads % s.keys.shape[0] == 0, "attention: \(heads) query heads vs \(s.keys.shape[0]) kv heads")
        }
        if case .blockCausal(let size) = mask { precondition(size > 0, "blockCausal needs a positive block size") }
        let alpha = scale ?? 1 / Float(d).squareRoot()
        if tq == 0 || heads == 0 { return Tensor(zeros: [heads, tq, dv]) }
        // With a single-threaded OpenBLAS, big tiles make the most efficient GEMMs. Otherwise tiles
        // are small enough that OpenBLAS runs each GEMM single-threaded in the calling thread (it
        // does when m·n·k <= 65536 · GEMM_MULTITHREAD_THRESHOLD = 262144 in default builds) and
        // parallelism comes from our workers, never from OpenBLAS's pool, whose threads collapse
        // when several callers use it at once. Either way scratch is one tile of scores per worker.
        let blasThreads = BLASRuntime.threads
        let workers = max(1, parallelism ?? blasThreads)
        let width = max(d, dv, 1)
        let bigTiles = blasThreads == 1
        let queryTile = min(tq, bigTiles ? 256 : 64)
        let keyTile = bigTiles ? 512 : max(16, singleThreadedGEMMVolume / (64 * width))
        let tilesPerHead = (tq + queryTile - 1) / queryTile
        let units = heads * tilesPerHead, lanes = min(workers, units)
        return Tensor(shape: [heads, tq, dv]) { out in
            out.initialize(repeating: 0)
            let base = UnsafeSendablePointer(out.baseAddress!)
            // Lane w takes units w, w + lanes, ...; a unit is one (head, query tile).
            let work = { @Sendable (worker: Int) in
                var plan = AttentionTilePlan(queryTile: queryTile, keyTile: keyTile, valueWidth: dv)
                for unit in stride(from: worker, to: units, by: lanes) {
                    let h = unit / tilesPerHead, q0 = (unit % tilesPerHead) * queryTile
                    let rows = min(queryTile, tq - q0)
                    plan.run(query: q, head: h, firstRow: q0, rows: rows, queryFirstPosition: queryFirstPosition,
                             segments: segments, mask: mask, scale: alpha,
                             output: base.pointer + (h * tq + q0) * dv)
                }
            }
            if lanes == 1 { work(0) } else { DispatchQueue.concurrentPerform(iterations: lanes, execute: work) }
        }
    }
}

/// Largest m·n·k that OpenBLAS (default GEMM_MULTITHREAD_THRESHOLD) computes without threads.
let singleThreadedGEMMVolume = 262_144

/// A pointer handed to workers that write disjoint parts of one buffer.
struct UnsafeSendablePointer: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Float>
    init(_ p: UnsafeMutablePointer<Float>) { pointer = p }
}

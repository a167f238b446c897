internal import CKernels

/// Scratch and the inner loop of tiled attention with an online (streaming) softmax: for each
/// key tile, scores S = q·kᵀ go through one GEMM, each row's running max and sum are updated, the
/// accumulated output is rescaled, and P·v is added through a second GEMM.
struct AttentionTilePlan {
    let queryTile: Int
    let keyTile: Int
    let valueWidth: Int
    private var scores: [Float]
    private var rowMax: [Float]
    private var rowSum: [Float]

    init(queryTile: Int, keyTile: Int, valueWidth: Int) {
        self.queryTile = max(queryTile, 1)
        self.keyTile = keyTile
        self.valueWidth = valueWidth
        scores = [Float](repeating: 0, count: self.queryTile * keyTile)
        rowMax = [Float](repeating: 0, count: self.queryTile)
        rowSum = [Float](repeating: 0, count: self.queryTile)
    }

    mutating func run(query: Tensor, head h: Int, firstRow q0: Int, rows: Int, queryFirstPosition: Int,
                      segments: [KVSegment], mask: AttentionMask, scale: Float,
                      output o: UnsafeMutablePointer<Float>) {
        let dv = valueWidth, kt = keyTile, heads = query.shape[0]
        let d = query.shape[2]
        for r in 0..<rows { rowMax[r] = -.infinity; rowSum[r] = 0 }
        let firstQueryPos = queryFirstPosition + q0, lastQueryPos = firstQueryPos + rows - 1
        query.withUnsafeStoragePointer { qBase in
            let qp = qBase + h * query.strides[0] + q0 * query.strides[1]
            let ldq = query.strides[1]
            scores.withUnsafeMutableBufferPointer { sBuf in
                rowMax.withUnsafeMutableBufferPointer { mBuf in
                    rowSum.withUnsafeMutableBufferPointer { lBuf in
                        let s = sBuf.baseAddress!
                        for seg in segments {
                            let kvHead = h / (heads / seg.keys.shape[0])
                            seg.keys.withUnsafeStoragePointer { kBase in
                                seg.values.withUnsafeStoragePointer { vBase in
                                    let kp = kBase + kvHead * seg.keys.strides[0], ldk = seg.keys.strides[1]
                                    let vp = vBase + kvHead * seg.values.strides[0], ldv = seg.values.strides[1]
                                    for k0 in stride(from: 0, to: seg.tokens, by: kt) {
                                        let cols = min(kt, seg.tokens - k0)
                                        let firstKeyPos = seg.firstPosition + k0, lastKeyPos = firstKeyPos + cols - 1
                                        // Whole tile invisible to every query in this tile: skip it.
                                        if !mask.allows(query: lastQueryPos, key: firstKeyPos) { continue }
                                        let needsMask = !mask.allows(query: firstQueryPos, key: lastKeyPos)
                                        BLAS.sgemm(.none, .transposed, m: rows, n: cols, k: d, alpha: scale,
                                                   a: qp, lda: ldq, b: kp + k0 * ldk, ldb: ldk,
                                                   beta: 0, c: s, ldc: cols)
                                        if needsMask {
                                            for r in 0..<rows {
                                                let hidden = mask.firstHiddenKey(query: firstQueryPos + r, keys: firstKeyPos..<(lastKeyPos + 1))
                                                (s + r * cols + hidden).update(repeating: -.infinity, count: cols - hidden)
                                            }
                                        }
                                        // Running max and sum absorb the tile, o is rescaled, and
                                        // the scores become weights, in one vectorised C pass.
                                        ck_attention_tile(s, rows, cols, mBuf.baseAddress!, lBuf.baseAddress!, o, dv)
                                        BLAS.sgemm(.none, .none, m: rows, n: dv, k: cols, alpha: 1,
                                                   a: s, lda: cols, b: vp + k0 * ldv, ldb: ldv,
                                                   beta: 1, c: o, ldc: dv)
                                    }
                                }
                            }
                        }
                        for r in 0..<rows where lBuf[r] > 0 { ck_scale(o + r * dv, dv, 1 / lBuf[r]) }
                    }
                }
            }
        }
    }
}

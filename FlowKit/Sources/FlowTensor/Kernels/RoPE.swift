#if canImport(Glibc)
import Glibc
#endif

/// Rotary position embeddings. Convention: "rotate half" (GPT-NeoX / Hugging Face Llama): within a
/// rotated span of d features, feature i pairs with i + d/2 and turns by angle pos · base^(-2i/d).
extension Kernels {
    /// 1D RoPE on x [..., T, D] with one position per token (`positions.count == T`).
    public static func rope(_ x: Tensor, positions: [Int], base: Double = 10_000) -> Tensor {
        x.requireF32("rope")
        let t = x.size(-2), d = x.size(-1)
        precondition(positions.count == t, "rope: \(positions.count) positions for \(t) tokens")
        let table = RotationTable(positions: positions.map { [$0] }, sections: [d], base: base)
        return table.apply(x)
    }

    /// 3D RoPE for video tokens: D splits into `sections` (t, h, w sizes, each even, summing to D);
    /// each span rotates by its own coordinate of the token's (frame, row, column) position.
    public static func rope3D(_ x: Tensor, positions: [(t: Int, h: Int, w: Int)], sections: (t: Int, h: Int, w: Int),
                              base: Double = 10_000) -> Tensor {
        x.requireF32("rope3D")
        let t = x.size(-2), d = x.size(-1)
        precondition(positions.count == t, "rope3D: \(positions.count) positions for \(t) tokens")
        precondition(sections.t + sections.h + sections.w == d, "rope3D: sections \(sections) do not sum to \(d)")
        let table = RotationTable(positions: positions.map { [$0.t, $0.h, $0.w] },
                                  sections: [sections.t, sections.h, sections.w], base: base)
        return table.apply(x)
    }
}

/// cos/sin per token and rotated pair, computed in double and stored as float.
struct RotationTable {
    let tokens: Int
    let width: Int          // D
    let pairs: [(first: Int, second: Int)]
    let cosines: [Float]    // [tokens, pairs.count]
    let sines: [Float]

    init(positions: [[Int]], sections: [Int], base: Double) {
        tokens = positions.count
        width = sections.reduce(0, +)
        var pairs = [(Int, Int)](), spanIndex = [Int](), freqs = [Double]()
        var start = 0
        for (s, size) in sections.enumerated() {
            precondition(size % 2 == 0, "rope: rotated span of \(size) features is odd")
            let half = size / 2
            for i in 0..<half {
                pairs.append((start + i, start + i + half))
                spanIndex.append(s)
                freqs.append(pow(base, -2.0 * Double(i) / Double(size)))
            }
            start += size
        }
        self.pairs = pairs
        var c = [Float](repeating: 0, count: tokens * pairs.count), sn = c
        for tok in 0..<tokens {
            for p in 0..<pairs.count {
                let angle = Double(positions[tok][spanIndex[p]]) * freqs[p]
                c[tok * pairs.count + p] = Float(cos(angle))
                sn[tok * pairs.count + p] = Float(sin(angle))
            }
        }
        cosines = c
        sines = sn
    }

    func apply(_ x: Tensor) -> Tensor {
        let d = width, np = pairs.count
        return Tensor(shape: x.shape) { out in
            x.withUnsafeFloats { src in
                out.baseAddress!.update(from: src.baseAddress!, count: src.count)
                cosines.withUnsafeBufferPointer { cs in
                    sines.withUnsafeBufferPointer { sn in
                        pairs.withUnsafeBufferPointer { pr in
                            var row = 0, tok = 0
                            while row < src.count {
                                let s = src.baseAddress! + row, o = out.baseAddress! + row
                                let cRow = cs.baseAddress! + tok * np, sRow = sn.baseAddress! + tok * np
                                for p in 0..<np {
                                    let (i, j) = pr[p]
                                    let a = s[i], b = s[j], c = cRow[p], si = sRow[p]
                                    o[i] = a * c - b * si
                                    o[j] = b * c + a * si
                                }
                                row += d
                                tok += 1
                                if tok == tokens { tok = 0 }
                            }
                        }
                    }
                }
            }
        }
    }
}

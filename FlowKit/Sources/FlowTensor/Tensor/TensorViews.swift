/// Views share storage with their source; `copied` and `contiguous` make fresh row-major storage.
extension Tensor {
    /// Elements `range` along dimension `dim`, without copying.
    public func slice(dim: Int, _ range: Range<Int>) -> Tensor {
        let d = normalized(dim)
        precondition(range.lowerBound >= 0 && range.upperBound <= shape[d],
                     "slice \(range) out of bounds for dimension \(d) of shape \(shape)")
        var view = self
        view.shape[d] = range.count
        view.offset = offset + range.lowerBound * strides[d]
        return view
    }

    /// Index `i` of dimension `dim`, dropping that dimension, without copying.
    public func select(dim: Int, _ i: Int) -> Tensor {
        let d = normalized(dim)
        var view = slice(dim: d, i..<(i + 1))
        view.shape.remove(at: d)
        view.strides.remove(at: d)
        return view
    }

    /// Swaps two dimensions by swapping strides (no copy).
    public func transposed(_ a: Int = -2, _ b: Int = -1) -> Tensor {
        var order = Array(0..<rank)
        order.swapAt(normalized(a), normalized(b))
        return permuted(order)
    }

    /// Reorders dimensions: result dimension i is source dimension `order[i]` (no copy).
    public func permuted(_ order: [Int]) -> Tensor {
        precondition(order.count == rank && Set(order) == Set(0..<rank), "bad permutation \(order) for rank \(rank)")
        var view = self
        view.shape = order.map { shape[$0] }
        view.strides = order.map { strides[$0] }
        return view
    }

    /// The same elements with a new shape; one extent may be -1. A view when contiguous, else a copy.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        var resolved = newShape
        if let hole = newShape.firstIndex(of: -1) {
            var known = 1
            for (i, e) in newShape.enumerated() where i != hole { known *= e }
            precondition(known > 0 && count % known == 0, "cannot reshape \(shape) to \(newShape)")
            resolved[hole] = count / known
        }
        precondition(Tensor.elementCount(resolved) == count, "cannot reshape \(shape) to \(newShape)")
        let source = contiguous()
        var view = source
        view.shape = resolved
        view.strides = Tensor.contiguousStrides(for: resolved)
        return view
    }

    /// Self if already contiguous, else a row-major copy.
    public func contiguous() -> Tensor { isContiguous ? self : copied() }

    /// A row-major copy in fresh, owned storage.
    public func copied() -> Tensor {
        let esz = dtype.byteSize
        let out = TensorStorage(uninitializedByteCount: count * esz)
        let result = Tensor(dtype: dtype, shape: shape, strides: Tensor.contiguousStrides(for: shape), offset: 0, storage: out)
        if count == 0 { return result }
        if isContiguous {
            out.bytes.copyMemory(from: storage.bytes.advanced(by: offset * esz), byteCount: count * esz)
            return result
        }
        // Walk the source in row-major order, copying runs along the last dimension.
        let inner = shape[rank - 1], innerStride = strides[rank - 1]
        var index = [Int](repeating: 0, count: rank)
        var written = 0
        let src = storage.bytes, dst = out.bytes
        while written < count {
            var position = offset
            for d in 0..<(rank - 1) { position += index[d] * strides[d] }
            if innerStride == 1 {
                // Runs along a contiguous last dimension (heads split or merged, slices of a cache): one memcpy
                // each, not an element loop the compiler cannot vectorise for a stride it only knows at run time.
                (dst + written * esz).copyMemory(from: src + position * esz, byteCount: inner * esz)
            } else if esz == 4 {
                let s = src.assumingMemoryBound(to: UInt32.self), t = dst.assumingMemoryBound(to: UInt32.self)
                for j in 0..<inner { t[written + j] = s[position + j * innerStride] }
            } else {
                for j in 0..<inner {
                    (dst + (written + j) * esz).copyMemory(from: src + (position + j * innerStride) * esz, byteCount: esz)
                }
            }
            written += inner
            var d = rank - 2
            while d >= 0 {
                index[d] += 1
                if index[d] < shape[d] { break }
                index[d] = 0
                d -= 1
            }
        }
        return result
    }

    /// Joins tensors along `dim` (all other extents equal, same dtype).
    public static func concatenate(_ parts: [Tensor], dim: Int) -> Tensor {
        precondition(!parts.isEmpty, "concatenate of nothing")
        let first = parts[0]
        let d = first.normalized(dim)
        for part in parts {
            var a = part.shape, b = first.shape
            precondition(part.dtype == first.dtype && a.count == b.count, "concatenate: parts differ in dtype or rank")
            a[d] = 0; b[d] = 0
            precondition(a == b, "concatenate: shape \(part.shape) does not match \(first.shape) outside dimension \(d)")
        }
        var shape = first.shape
        shape[d] = parts.reduce(0) { $0 + $1.shape[d] }
        let outer = first.shape[..<d].reduce(1, *)
        let innerOf = { (t: Tensor) in t.shape[d...].reduce(1, *) * t.dtype.byteSize }
        return Tensor(shape: shape, dtype: first.dtype) { out in
            var cursor = 0
            let sources = parts.map { $0.contiguous() }
            for o in 0..<outer {
                for part in sources {
                    let run = innerOf(part)
                    part.withUnsafeBytes { src in
                        out.baseAddress!.advanced(by: cursor).copyMemory(from: src.baseAddress! + o * run, byteCount: run)
                    }
                    cursor += run
                }
            }
        }
    }
}

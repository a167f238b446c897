/// Reading and writing elements. Hot loops use the buffer accessors (no per-element checks);
/// the subscript and `toArray` are for tests and glue code.
extension Tensor {
    /// Calls `body` with the elements of a contiguous f32 tensor (copying first if it is strided).
    public func withUnsafeFloats<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        precondition(dtype == .f32, "withUnsafeFloats needs f32, tensor is \(dtype)")
        if !isContiguous { return try contiguous().withUnsafeFloats(body) }
        let start = storage.bytes.assumingMemoryBound(to: Float.self).advanced(by: offset)
        return try body(UnsafeBufferPointer(start: start, count: count))
    }

    /// Calls `body` with writable elements of an f32 tensor, first giving this tensor its own
    /// contiguous, writable storage if it shares, maps or strides it (copy-on-write).
    public mutating func withUnsafeMutableFloats<R>(_ body: (UnsafeMutableBufferPointer<Float>) throws -> R) rethrows -> R {
        precondition(dtype == .f32, "withUnsafeMutableFloats needs f32, tensor is \(dtype)")
        makeUniqueContiguous()
        let start = storage.bytes.assumingMemoryBound(to: Float.self).advanced(by: offset)
        return try body(UnsafeMutableBufferPointer(start: start, count: count))
    }

    /// Calls `body` with the raw bytes of a contiguous tensor of any dtype.
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        if !isContiguous { return try contiguous().withUnsafeBytes(body) }
        let start = storage.bytes.advanced(by: offset * dtype.byteSize)
        return try body(UnsafeRawBufferPointer(start: start, count: count * dtype.byteSize))
    }

    /// Writable raw bytes, after copy-on-write as in `withUnsafeMutableFloats`.
    public mutating func withUnsafeMutableBytes<R>(_ body: (UnsafeMutableRawBufferPointer) throws -> R) rethrows -> R {
        makeUniqueContiguous()
        let start = storage.bytes.advanced(by: offset * dtype.byteSize)
        return try body(UnsafeMutableRawBufferPointer(start: start, count: count * dtype.byteSize))
    }

    private mutating func makeUniqueContiguous() {
        if !isKnownUniquelyReferenced(&storage) || storage.isReadOnly || !isContiguous {
            self = copied()
        }
    }

    /// Elements converted to f32 in row-major order (any float dtype; integers convert by value).
    public func toArray() -> [Float] {
        let source = dtype == .f32 ? self : converted(to: .f32)
        return source.withUnsafeFloats { Array($0) }
    }

    /// One element as Float, bounds-checked (slow path: tests and debugging).
    public subscript(_ index: Int...) -> Float {
        precondition(index.count == rank, "index \(index) for rank \(rank)")
        var position = offset
        for d in 0..<rank {
            precondition(index[d] >= 0 && index[d] < shape[d], "index \(index) out of bounds for shape \(shape)")
            position += index[d] * strides[d]
        }
        return ElementConversion.load(storage.bytes.advanced(by: position * dtype.byteSize), dtype)
    }

    /// The single value of a one-element tensor.
    public var scalar: Float {
        precondition(count == 1, "scalar of a tensor with \(count) elements")
        return toArray()[0]
    }
}

extension Tensor: CustomStringConvertible {
    /// dtype, shape and up to eight leading values, e.g. `f32[2, 3] [0.0, 1.0, ...]`.
    public var description: String {
        let values = slicePrefix(8)
        return "\(dtype)\(shape) \(values)\(count > 8 ? " ..." : "")"
    }

    /// The first `n` elements in row-major order, read in place (no conversion of the whole tensor).
    private func slicePrefix(_ n: Int) -> [Float] {
        (0..<min(n, count)).map { flat in
            var rest = flat, position = offset
            for d in stride(from: rank - 1, through: 0, by: -1) {
                position += (rest % shape[d]) * strides[d]
                rest /= shape[d]
            }
            return ElementConversion.load(storage.bytes.advanced(by: position * dtype.byteSize), dtype)
        }
    }
}

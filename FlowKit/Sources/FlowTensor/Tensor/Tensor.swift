/// An n-dimensional array: a shape, strides (in elements) and an offset into shared storage.
///
/// A value type with copy-on-write storage, so it can travel in packets between threads. Views
/// (`slice`, `transposed`, `permuted`, `reshaped` of contiguous data) share storage; writing
/// through any tensor first makes its storage unique. Kernels take f32 tensors and read them
/// contiguously; `contiguous()` is free when a tensor already is.
public struct Tensor: Sendable {
    /// Element type of the storage.
    public let dtype: DType
    /// Extent of each dimension.
    public internal(set) var shape: [Int]
    /// Elements to step in storage for +1 along each dimension.
    public internal(set) var strides: [Int]
    /// First element, in elements from the start of storage.
    internal var offset: Int
    internal var storage: TensorStorage

    internal init(dtype: DType, shape: [Int], strides: [Int], offset: Int, storage: TensorStorage) {
        self.dtype = dtype
        self.shape = shape
        self.strides = strides
        self.offset = offset
        self.storage = storage
    }

    /// Row-major strides for `shape`.
    public static func contiguousStrides(for shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var step = 1
        for d in stride(from: shape.count - 1, through: 0, by: -1) {
            strides[d] = step
            step *= max(shape[d], 1)
        }
        return strides
    }

    /// Number of elements (product of shape, checked against overflow).
    public static func elementCount(_ shape: [Int]) -> Int {
        var n = 1
        for extent in shape {
            precondition(extent >= 0, "negative extent in shape \(shape)")
            let (p, overflow) = n.multipliedReportingOverflow(by: extent)
            precondition(!overflow, "shape \(shape) overflows")
            n = p
        }
        return n
    }

    /// A zero-filled tensor.
    public init(zeros shape: [Int], dtype: DType = .f32) {
        let count = Tensor.elementCount(shape)
        self.init(dtype: dtype, shape: shape, strides: Tensor.contiguousStrides(for: shape), offset: 0,
                  storage: TensorStorage(zeroedByteCount: count * dtype.byteSize))
    }

    /// An f32 tensor filled with `value`.
    public init(shape: [Int], repeating value: Float) {
        self.init(shape: shape) { $0.initialize(repeating: value) }
    }

    /// An f32 tensor holding `values` in row-major order.
    public init(shape: [Int], values: [Float]) {
        precondition(values.count == Tensor.elementCount(shape),
                     "\(values.count) values for shape \(shape)")
        self.init(shape: shape) { out in
            values.withUnsafeBufferPointer { src in out.baseAddress!.update(from: src.baseAddress!, count: src.count) }
        }
    }

    /// An f32 tensor whose every element `fill` writes (the buffer starts uninitialised).
    public init(shape: [Int], fill: (UnsafeMutableBufferPointer<Float>) throws -> Void) rethrows {
        let count = Tensor.elementCount(shape)
        let storage = TensorStorage(uninitializedByteCount: count * 4)
        let buffer = UnsafeMutableBufferPointer(start: storage.bytes.bindMemory(to: Float.self, capacity: count),
                                                count: count)
        try fill(buffer)
        self.init(dtype: .f32, shape: shape, strides: Tensor.contiguousStrides(for: shape), offset: 0, storage: storage)
    }

    /// A tensor of `dtype` whose raw bytes `fill` writes (row-major, `count * byteSize` bytes).
    public init(shape: [Int], dtype: DType, fillBytes: (UnsafeMutableRawBufferPointer) throws -> Void) rethrows {
        let byteCount = Tensor.elementCount(shape) * dtype.byteSize
        let storage = TensorStorage(zeroedByteCount: byteCount)
        try fillBytes(UnsafeMutableRawBufferPointer(start: storage.bytes, count: byteCount))
        self.init(dtype: dtype, shape: shape, strides: Tensor.contiguousStrides(for: shape), offset: 0, storage: storage)
    }

    /// Wraps bytes of a mapped file without copying. The caller has checked the range and alignment.
    internal init(mapping: MappedFile, byteOffset: Int, dtype: DType, shape: [Int]) {
        let byteCount = Tensor.elementCount(shape) * dtype.byteSize
        self.init(dtype: dtype, shape: shape, strides: Tensor.contiguousStrides(for: shape), offset: 0,
                  storage: TensorStorage(mapping: mapping, offset: byteOffset, byteCount: byteCount))
    }

    /// Number of dimensions.
    public var rank: Int { shape.count }
    /// Number of elements.
    public var count: Int { Tensor.elementCount(shape) }
    /// True when elements are laid out row-major without gaps from `offset`.
    public var isContiguous: Bool {
        var expected = 1
        for d in stride(from: shape.count - 1, through: 0, by: -1) where shape[d] != 1 {
            if strides[d] != expected { return false }
            expected *= shape[d]
        }
        return true
    }
    /// True when the storage comes from a memory-mapped file.
    public var isMemoryMapped: Bool { storage.isReadOnly }

    /// Extent of dimension `d`; negative counts from the end.
    public func size(_ d: Int) -> Int { shape[normalized(d)] }

    internal func normalized(_ d: Int) -> Int {
        let n = d < 0 ? d + rank : d
        precondition(n >= 0 && n < rank, "dimension \(d) out of range for rank \(rank)")
        return n
    }
}

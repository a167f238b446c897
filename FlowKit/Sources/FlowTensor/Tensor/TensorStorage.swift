#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The bytes behind one or more tensors. Either owned (allocated here) or borrowed from a
/// memory-mapped file, which it keeps alive. Tensors share a storage and copy it before writing
/// unless they hold the only reference (copy-on-write), so handing a tensor to another thread is
/// safe: nobody writes bytes another reference can see. That invariant is why this is
/// `@unchecked Sendable`.
final class TensorStorage: @unchecked Sendable {
    /// Start of the bytes.
    let bytes: UnsafeMutableRawPointer
    let byteCount: Int
    /// True for mapped files: never written in place.
    let isReadOnly: Bool
    /// Keeps a mapping alive as long as any tensor uses it; nil for owned memory.
    private let mapping: MappedFile?

    /// Alignment for owned buffers: a cache line, which also suits 512-bit vectors.
    static let alignment = 64

    /// Allocates `byteCount` zeroed bytes.
    init(zeroedByteCount byteCount: Int) {
        let size = max(byteCount, 1)
        bytes = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: Self.alignment)
        memset(bytes, 0, size)  // memset rather than initializeMemory: leaves the memory unbound
        self.byteCount = byteCount
        isReadOnly = false
        mapping = nil
    }

    /// Allocates `byteCount` bytes without clearing them (the caller fills every byte).
    init(uninitializedByteCount byteCount: Int) {
        bytes = UnsafeMutableRawPointer.allocate(byteCount: max(byteCount, 1), alignment: Self.alignment)
        self.byteCount = byteCount
        isReadOnly = false
        mapping = nil
    }

    /// Borrows `byteCount` bytes at `offset` of a mapped file.
    init(mapping: MappedFile, offset: Int, byteCount: Int) {
        bytes = mapping.base.advanced(by: offset)
        self.byteCount = byteCount
        isReadOnly = true
        self.mapping = mapping
    }

    deinit {
        if mapping == nil { bytes.deallocate() }
    }
}

/// A memory-mapped safetensors file, validated on open. Tensors it returns borrow the mapping
/// (no copy) when their bytes are aligned for their dtype, which the writer guarantees.
public struct SafetensorsFile: Sendable {
    public let path: String
    public let header: SafetensorsHeader
    private let mapping: MappedFile

    /// Maps and validates `path`. Throws `SafetensorsError` naming the file (and tensor).
    public init(path: String) throws {
        self.path = path
        do { mapping = try MappedFile(path: path) } catch let e as MappedFile.OpenError {
            throw SafetensorsError(path: path, reason: e.reason)
        }
        header = try SafetensorsHeader(bytes: mapping.bytes, path: path)
    }

    /// Tensor names, sorted.
    public var names: [String] { header.entries.keys.sorted() }
    /// `__metadata__` strings.
    public var metadata: [String: String] { header.metadata }
    public func contains(_ name: String) -> Bool { header.entries[name] != nil }

    /// The tensor `name` in its stored dtype.
    public func tensor(_ name: String) throws -> Tensor {
        guard let entry = header.entries[name] else {
            throw SafetensorsError(path: path, tensor: name, reason: "no such tensor (file has \(header.entries.count))")
        }
        let start = header.dataStart + entry.dataRange.lowerBound
        if start % entry.dtype.byteSize == 0 {
            return Tensor(mapping: mapping, byteOffset: start, dtype: entry.dtype, shape: entry.shape)
        }
        // Misaligned data (allowed by the format): copy, since typed loads need alignment.
        let source = UnsafeRawBufferPointer(rebasing: mapping.bytes[start..<(start + entry.dataRange.count)])
        return Tensor(shape: entry.shape, dtype: entry.dtype) { $0.copyMemory(from: source) }
    }

    /// The tensor `name` as f32 (converted if stored as f16/bf16/other).
    public func floatTensor(_ name: String) throws -> Tensor {
        let t = try tensor(name)
        return t.dtype == .f32 ? t : t.converted(to: .f32)
    }
}

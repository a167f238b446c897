/// Memory for building a protobuf-c message from Swift values: C strings, arrays and structs the message
/// points to live until this object goes away (after `ProtobufMessage.pack`).
public final class CAllocations {
    private var blocks: [UnsafeMutableRawPointer] = []

    public init() {}

    /// A NUL-terminated copy of `text`.
    public func string(_ text: String) -> UnsafeMutablePointer<CChar> {
        let utf8 = Array(text.utf8CString)
        let p = array(utf8)
        return p
    }

    /// A copy of `values` (a valid pointer even when empty).
    public func array<T>(_ values: [T]) -> UnsafeMutablePointer<T> {
        let p = UnsafeMutablePointer<T>.allocate(capacity: max(values.count, 1))
        if !values.isEmpty { p.initialize(from: values, count: values.count) }
        blocks.append(UnsafeMutableRawPointer(p))
        return p
    }

    /// One value, e.g. a nested message struct.
    public func box<T>(_ value: T) -> UnsafeMutablePointer<T> { array([value]) }

    /// An array of pointers to boxed values (protobuf-c's repeated message fields).
    public func boxes<T>(_ values: [T]) -> UnsafeMutablePointer<UnsafeMutablePointer<T>?> { array(values.map { Optional(box($0)) }) }

    deinit { for b in blocks { b.deallocate() } }
}

import CProtobufC

/// The bridge between records and protobuf-c: pack any generated message to bytes, and unpack bytes as a
/// given message type (its `ProtobufCMessageDescriptor`) for the duration of a closure, which reads the C
/// struct and copies out what it needs. protobuf-c validates the wire format; the closure checks the schema's
/// own rules and throws `ProtobufMessage.Invalid` with what is wrong.
public enum ProtobufMessage {
    /// A message that parsed but breaks a rule of its schema (the caller's check); `RecordFile` adds where.
    public struct Invalid: Error, CustomStringConvertible {
        public let description: String
        public init(_ description: String) { self.description = description }
    }

    /// The wire bytes of a message built in C structs (`base` of a generated struct).
    public static func pack(_ message: UnsafePointer<ProtobufCMessage>) -> [UInt8] {
        let size = protobuf_c_message_get_packed_size(message)
        var out = [UInt8](repeating: 0, count: size)
        let written = out.withUnsafeMutableBufferPointer { protobuf_c_message_pack(message, $0.baseAddress!) }
        precondition(written == size, "protobuf-c packed \(written) of \(size) bytes")
        return out
    }

    /// Unpacks `bytes` as `descriptor`'s message and hands the C struct to `body`; nil from protobuf-c (bad
    /// wire format, wrong types, missing required fields) becomes `Invalid`. The struct is freed after `body`.
    public static func unpack<T>(_ bytes: ArraySlice<UInt8>, as descriptor: UnsafePointer<ProtobufCMessageDescriptor>,
                                 _ body: (UnsafeMutablePointer<ProtobufCMessage>) throws -> T) throws -> T {
        let message = bytes.withUnsafeBufferPointer { buffer -> UnsafeMutablePointer<ProtobufCMessage>? in
            // protobuf-c reads `len` bytes from `data`; an empty record (every field at its default) has no base address.
            var empty: UInt8 = 0
            return protobuf_c_message_unpack(descriptor, nil, buffer.count, buffer.baseAddress ?? withUnsafePointer(to: &empty) { $0 })
        }
        guard let message else {
            throw Invalid("not a valid \(String(cString: descriptor.pointee.name)) message (protobuf-c could not parse it)")
        }
        defer { protobuf_c_message_free_unpacked(message, nil) }
        return try body(message)
    }
}

import Foundation
import FlowKit
import FlowProtos

/// The header of a message between ranks, as Swift values; `packed()` and `init(unpacking:)` go through the
/// protobuf-c code generated from Schemas/edge_packet.proto.
struct EdgeHeader {
    enum Kind: UInt32 { case data = 1, end, credit, failure, done }

    struct Field: Equatable {
        var name: String
        var int = 0
        var double = 0.0
        var string = ""
    }

    struct TensorSpec: Equatable {
        var name: String
        var dtype: DType
        var shape: [Int]
        var byteLength: Int
    }

    var kind: Kind
    var edge = 0
    var position = 0
    var meta: [String: String] = [:]
    var payloadType = ""
    var fields: [Field] = []
    var tensors: [TensorSpec] = []
    var credits = 0
    var failure: RunFailure?

    init(kind: Kind, edge: Int = 0) {
        self.kind = kind
        self.edge = edge
    }

    static let protoDTypes: [(DType, UInt32)] = [(.f32, 1), (.f16, 2), (.bf16, 3), (.i8, 4), (.u8, 5), (.i32, 6)]

    func packed() -> [UInt8] {
        let arena = CArena()
        var m = Flowrun__EdgePacket()
        flowrun__edge_packet__init(&m)
        m.kind = Flowrun__EdgePacket__Kind(rawValue: kind.rawValue)
        m.edge = UInt32(edge)
        m.position = Int64(position)
        let metaFields = meta.sorted { $0.key < $1.key }.map { Field(name: $0.key, string: $0.value) }
        m.n_meta = metaFields.count
        m.meta = arena.array(metaFields.map { arena.field($0) })
        m.payload_type = arena.string(payloadType)
        m.n_fields = fields.count
        m.fields = arena.array(fields.map { arena.field($0) })
        m.n_tensors = tensors.count
        m.tensors = arena.array(tensors.map { t -> UnsafeMutablePointer<Flowrun__TensorHeader>? in
            var h = Flowrun__TensorHeader()
            flowrun__tensor_header__init(&h)
            h.name = arena.string(t.name)
            h.dtype = Flowrun__DType(rawValue: EdgeHeader.protoDTypes.first { $0.0 == t.dtype }!.1)
            h.n_shape = t.shape.count
            h.shape = arena.array(t.shape.map { Int64($0) })
            h.byte_length = UInt64(t.byteLength)
            return arena.object(h)
        })
        m.credits = UInt32(credits)
        if let f = failure {
            var c = Flowrun__Failure()
            flowrun__failure__init(&c)
            c.rank = Int32(f.rank ?? -1)
            c.node = arena.string(f.nodeId)
            c.node_type = arena.string(f.nodeType)
            c.origin = arena.string(f.origin)
            c.file = arena.string(f.location.file)
            c.line = Int32(f.location.line)
            c.column = Int32(f.location.column)
            c.message = arena.string(f.message)
            m.failure = arena.object(c)
        }
        let size = flowrun__edge_packet__get_packed_size(&m)
        var out = [UInt8](repeating: 0, count: size)
        _ = out.withUnsafeMutableBufferPointer { flowrun__edge_packet__pack(&m, $0.baseAddress) }
        return out
    }

    init(unpacking bytes: [UInt8]) throws {
        guard let p = bytes.withUnsafeBufferPointer({ flowrun__edge_packet__unpack(nil, $0.count, $0.baseAddress) }) else {
            throw NodeError("a message from another rank is not an EdgePacket (\(bytes.count) bytes)")
        }
        defer { flowrun__edge_packet__free_unpacked(p, nil) }
        let m = p.pointee
        guard let kind = Kind(rawValue: m.kind.rawValue) else { throw NodeError("a message from another rank has unknown kind \(m.kind.rawValue)") }
        self.kind = kind
        edge = Int(m.edge)
        position = Int(m.position)
        for i in 0..<m.n_meta { if let f = m.meta[i] { meta[String(cString: f.pointee.name)] = String(cString: f.pointee.string_value) } }
        payloadType = String(cString: m.payload_type)
        fields = (0..<m.n_fields).compactMap { i in
            m.fields[i].map { f in
                Field(name: String(cString: f.pointee.name), int: Int(f.pointee.int_value), double: f.pointee.double_value,
                      string: String(cString: f.pointee.string_value))
            }
        }
        tensors = try (0..<m.n_tensors).compactMap { i -> TensorSpec? in
            guard let h = m.tensors[i]?.pointee else { return nil }
            guard let dtype = EdgeHeader.protoDTypes.first(where: { $0.1 == h.dtype.rawValue })?.0 else {
                throw NodeError("a tensor from another rank has unknown dtype \(h.dtype.rawValue)")
            }
            return TensorSpec(name: String(cString: h.name), dtype: dtype, shape: (0..<h.n_shape).map { Int(h.shape[$0]) },
                              byteLength: Int(h.byte_length))
        }
        credits = Int(m.credits)
        if let f = m.failure?.pointee {
            failure = RunFailure(nodeId: String(cString: f.node), nodeType: String(cString: f.node_type),
                                 location: SourceLocation(file: String(cString: f.file), line: Int(f.line), column: Int(f.column)),
                                 message: String(cString: f.message), origin: String(cString: f.origin),
                                 rank: f.rank >= 0 ? Int(f.rank) : nil)
        }
    }
}

/// C memory for one message being packed: strings, arrays and sub-messages the protobuf-c structs point to,
/// all freed together when the arena goes.
private final class CArena {
    private var blocks: [UnsafeMutableRawPointer] = []

    deinit { for b in blocks { free(b) } }

    func string(_ s: String) -> UnsafeMutablePointer<CChar> {
        let p = strdup(s)!
        blocks.append(UnsafeMutableRawPointer(p))
        return p
    }

    func array<T>(_ items: [T]) -> UnsafeMutablePointer<T>? {
        guard !items.isEmpty else { return nil }
        let p = malloc(MemoryLayout<T>.stride * items.count)!.bindMemory(to: T.self, capacity: items.count)
        p.initialize(from: items, count: items.count)
        blocks.append(UnsafeMutableRawPointer(p))
        return p
    }

    func object<T>(_ value: T) -> UnsafeMutablePointer<T> { array([value])! }

    func field(_ f: EdgeHeader.Field) -> UnsafeMutablePointer<Flowrun__Field>? {
        var c = Flowrun__Field()
        flowrun__field__init(&c)
        c.name = string(f.name)
        c.int_value = Int64(f.int)
        c.double_value = f.double
        c.string_value = string(f.string)
        return object(c)
    }
}

import CProtobufC
import FlowKit
import FlowProtos
import Foundation

/// Writes a `SessionSnapshot` in the layout of Schemas/snapshot.proto: magic, header, one record per node
/// (tensor bytes raw after it), and a trailer holding a digest of everything before it.
public enum SnapshotEncoding {
    static let magic = Array("FLOWSNP1".utf8)

    /// The file's bytes.
    public static func encode(_ snapshot: SessionSnapshot) throws -> [UInt8] {
        var out = magic
        appendRecord(&out, header(snapshot))
        for entry in snapshot.nodes {
            let (record, payloads) = try nodeRecord(entry)
            appendRecord(&out, record)
            for p in payloads { p.withUnsafeBytes { out.append(contentsOf: $0) } }
        }
        var trailer = Flowrun__SnapshotTrailer()
        flowrun__snapshot_trailer__init(&trailer)
        trailer.digest = out.withUnsafeBytes { ContentDigest.of($0) }
        trailer.length = UInt64(out.count)
        appendRecord(&out, pack(&trailer, flowrun__snapshot_trailer__get_packed_size, flowrun__snapshot_trailer__pack))
        return out
    }

    /// Writes next to `path` and renames over it, so a failed write (a full disk) never leaves a half
    /// snapshot in place of a good one.
    public static func write(_ snapshot: SessionSnapshot, to path: String) throws -> Int {
        let bytes = try encode(snapshot)
        let url = URL(fileURLWithPath: path)
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).partial")
        do {
            try Data(bytes).write(to: temporary)
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw NodeError("cannot write snapshot \(path): \(Self.reason(error))")
        }
        guard rename(temporary.path, url.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw NodeError("cannot write snapshot \(path): \(reason)")
        }
        return bytes.count
    }

    /// The operating system's words for a failed write ("No space left on device").
    static func reason(_ error: Error) -> String {
        let ns = error as NSError
        if let posix = ns.userInfo[NSUnderlyingErrorKey] as? NSError, posix.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(posix.code)))
        }
        return ns.localizedDescription
    }

    // MARK: - Records

    private static func header(_ s: SessionSnapshot) -> [UInt8] {
        let arena = CMessageArena()
        var h = Flowrun__SnapshotHeader()
        flowrun__snapshot_header__init(&h)
        h.format_version = SessionSnapshot.formatVersion
        h.writer = arena.string(s.writer)
        h.graph_name = arena.string(s.identity.graphName)
        h.graph_file = arena.string(s.graphFile)
        h.n_nodes = s.identity.nodes.count
        h.nodes = arena.messages(s.identity.nodes, Flowrun__NodeIdentity.self) { node in
            var m = Flowrun__NodeIdentity()
            flowrun__node_identity__init(&m)
            m.id = arena.string(node.id)
            m.type = arena.string(node.type)
            m.n_params = node.params.count
            m.params = arena.strings(node.params)
            return m
        }
        h.n_edges = s.identity.edges.count
        h.edges = arena.strings(s.identity.edges)
        h.n_models = s.identity.models.count
        h.models = arena.messages(s.identity.models, Flowrun__ModelFingerprint.self) { model in
            var m = Flowrun__ModelFingerprint()
            flowrun__model_fingerprint__init(&m)
            m.node = arena.string(model.node)
            m.param = arena.string(model.param)
            m.path = arena.string(model.path)
            m.digest = arena.string(model.digest)
            return m
        }
        h.frames_done = Int64(s.framesDone ?? -1)
        h.node_count = UInt32(s.nodes.count)
        return pack(&h, flowrun__snapshot_header__get_packed_size, flowrun__snapshot_header__pack)
    }

    /// The record and, in order, the tensors whose bytes follow it.
    private static func nodeRecord(_ entry: SessionSnapshot.Entry) throws -> ([UInt8], [Tensor]) {
        let arena = CMessageArena()
        var r = Flowrun__NodeStateRecord()
        flowrun__node_state_record__init(&r)
        r.node_id = arena.string(entry.id)
        r.node_type = arena.string(entry.type)
        r.frames_done = Int64(entry.state.framesDone ?? -1)
        var scalars: [(String, Flowrun__StateScalar__ValueCase, Int64, Double, String)] = []
        for (k, v) in entry.state.ints.sorted(by: { $0.key < $1.key }) { scalars.append((k, FLOWRUN__STATE_SCALAR__VALUE_INT_VALUE, Int64(v), 0, "")) }
        for (k, v) in entry.state.doubles.sorted(by: { $0.key < $1.key }) { scalars.append((k, FLOWRUN__STATE_SCALAR__VALUE_DOUBLE_VALUE, 0, v, "")) }
        for (k, v) in entry.state.strings.sorted(by: { $0.key < $1.key }) { scalars.append((k, FLOWRUN__STATE_SCALAR__VALUE_STRING_VALUE, 0, 0, v)) }
        r.n_scalars = scalars.count
        r.scalars = arena.messages(scalars, Flowrun__StateScalar.self) { key, kind, int, double, string in
            var m = Flowrun__StateScalar()
            flowrun__state_scalar__init(&m)
            m.key = arena.string(key)
            m.value_case = kind
            if kind == FLOWRUN__STATE_SCALAR__VALUE_INT_VALUE { m.int_value = int }
            if kind == FLOWRUN__STATE_SCALAR__VALUE_DOUBLE_VALUE { m.double_value = double }
            if kind == FLOWRUN__STATE_SCALAR__VALUE_STRING_VALUE { m.string_value = arena.string(string) }
            return m
        }
        let tensors = entry.state.tensors.sorted { $0.key < $1.key }
        var codes: [Flowrun__DType] = []
        for (key, t) in tensors {
            guard let code = SnapshotDType.code(t.dtype) else {
                throw NodeError("node '\(entry.id)': snapshot state '\(key)' is a \(t.dtype) tensor, which snapshots do not store")
            }
            codes.append(code)
        }
        r.n_tensors = tensors.count
        r.tensors = arena.messages(Array(zip(tensors, codes)), Flowrun__TensorHeader.self) { item, code in
            let (key, t) = item
            var m = Flowrun__TensorHeader()
            flowrun__tensor_header__init(&m)
            m.name = arena.string(key)
            m.dtype = code
            m.n_shape = t.shape.count
            let shape = arena.array(Int64.self, count: t.shape.count)
            for (i, d) in t.shape.enumerated() { (shape + i).initialize(to: Int64(d)) }
            m.shape = shape
            m.byte_length = UInt64(t.count * t.dtype.byteSize)
            return m
        }
        let bytes = pack(&r, flowrun__node_state_record__get_packed_size, flowrun__node_state_record__pack)
        return (bytes, tensors.map { $0.value })
    }

    private static func pack<M>(_ message: inout M, _ size: (UnsafePointer<M>) -> Int,
                                _ pack: (UnsafePointer<M>, UnsafeMutablePointer<UInt8>) -> Int) -> [UInt8] {
        let n = withUnsafePointer(to: &message) { size($0) }
        var out = [UInt8](repeating: 0, count: n)
        let written = withUnsafePointer(to: &message) { m in out.withUnsafeMutableBufferPointer { pack(m, $0.baseAddress!) } }
        precondition(written == n, "protobuf-c packed \(written) bytes, announced \(n)")
        return out
    }

    private static func appendRecord(_ out: inout [UInt8], _ record: [UInt8]) {
        Varint.append(UInt64(record.count), to: &out)
        out.append(contentsOf: record)
    }
}

/// Tensor dtypes as tensor.proto names them.
enum SnapshotDType {
    static func code(_ d: DType) -> Flowrun__DType? {
        switch d {
        case .f32: return FLOWRUN__DTYPE__DTYPE_F32
        case .f16: return FLOWRUN__DTYPE__DTYPE_F16
        case .bf16: return FLOWRUN__DTYPE__DTYPE_BF16
        case .i8: return FLOWRUN__DTYPE__DTYPE_I8
        case .u8: return FLOWRUN__DTYPE__DTYPE_U8
        case .i32: return FLOWRUN__DTYPE__DTYPE_I32
        default: return nil
        }
    }

    static func dtype(_ code: Flowrun__DType) -> DType? {
        switch code {
        case FLOWRUN__DTYPE__DTYPE_F32: return .f32
        case FLOWRUN__DTYPE__DTYPE_F16: return .f16
        case FLOWRUN__DTYPE__DTYPE_BF16: return .bf16
        case FLOWRUN__DTYPE__DTYPE_I8: return .i8
        case FLOWRUN__DTYPE__DTYPE_U8: return .u8
        case FLOWRUN__DTYPE__DTYPE_I32: return .i32
        default: return nil
        }
    }
}

/// Protocol-buffer varints, the length prefix of every record.
enum Varint {
    static func append(_ value: UInt64, to out: inout [UInt8]) {
        var v = value
        while v >= 0x80 {
            out.append(UInt8(v & 0x7f) | 0x80)
            v >>= 7
        }
        out.append(UInt8(v))
    }

    /// The value and its length in bytes at `offset`, or nil when the bytes end first or it runs past 10 bytes.
    static func read(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> (value: UInt64, length: Int)? {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        var i = offset
        while i < bytes.count && i - offset < 10 {
            let b = bytes[i]
            if shift == 63 && b > 1 { return nil }
            value |= UInt64(b & 0x7f) << shift
            i += 1
            if b & 0x80 == 0 { return (value, i - offset) }
            shift += 7
        }
        return nil
    }
}

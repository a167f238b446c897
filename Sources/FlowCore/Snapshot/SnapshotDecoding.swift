import CProtobufC
import FlowKit
import FlowProtos
import Foundation

/// Reads a snapshot file. Every length, count, shape and byte count is checked against what is left of the
/// file before it is used, so a truncated, corrupt or hostile file gives a `SnapshotFileError` naming the
/// record and the byte offset, never a crash or an allocation the file did not pay for.
public enum SnapshotDecoding {
    /// A record larger than this is refused (node states put their tensors after the record, not in it).
    static let maxRecordBytes = 64 << 20
    static let maxNodes = 100_000
    static let maxRank = 16

    public static func read(_ path: String) throws -> SessionSnapshot {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw SnapshotFileError(file: path, record: nil, offset: 0, message: "cannot read it: \(SnapshotEncoding.reason(error))")
        }
        return try decode(Array(data), file: path)
    }

    public static func decode(_ bytes: [UInt8], file: String) throws -> SessionSnapshot {
        try bytes.withUnsafeBytes { raw in
            var reader = Reader(bytes: raw, file: file)
            return try reader.snapshot()
        }
    }

    private struct Reader {
        let bytes: UnsafeRawBufferPointer
        let file: String
        var offset = 0
        var record = 0

        init(bytes: UnsafeRawBufferPointer, file: String) {
            self.bytes = bytes
            self.file = file
        }

        func fail(_ message: String, at: Int? = nil) -> SnapshotFileError {
            SnapshotFileError(file: file, record: record, offset: at ?? offset, message: message)
        }

        mutating func snapshot() throws -> SessionSnapshot {
            let magic = SnapshotEncoding.magic
            guard bytes.count >= magic.count, zip(bytes.prefix(magic.count), magic).allSatisfy({ $0 == $1 }) else {
                throw SnapshotFileError(file: file, record: nil, offset: 0,
                                        message: bytes.count < magic.count ? "the file is \(bytes.count) bytes, shorter than the snapshot magic"
                                                                          : "it does not start with \"FLOWSNP1\" (not a flowrun snapshot)")
            }
            offset = magic.count
            var snapshot = try header()
            var entries: [SessionSnapshot.Entry] = []
            for _ in 0..<snapshot.expectedNodes {
                record += 1
                entries.append(try nodeState())
            }
            record += 1
            try trailer()
            snapshot.value.nodes = entries
            return snapshot.value
        }

        /// The next record's bytes; the offset moves past it.
        mutating func nextRecord(_ kind: String) throws -> UnsafeRawBufferPointer {
            let start = offset
            if offset >= bytes.count {
                throw fail("the file ends here, where the \(kind) should be (truncated)")
            }
            guard let (length, width) = Varint.read(bytes, at: offset) else {
                throw fail("the \(kind)'s length prefix is cut off or malformed")
            }
            let remaining = bytes.count - offset - width
            guard length <= UInt64(SnapshotDecoding.maxRecordBytes) else {
                throw fail("the \(kind) claims \(length) bytes, more than the \(SnapshotDecoding.maxRecordBytes) a record may have (corrupt)")
            }
            guard Int(length) <= remaining else {
                throw fail("the \(kind) claims \(length) bytes but only \(remaining) remain (truncated)")
            }
            offset += width + Int(length)
            return UnsafeRawBufferPointer(rebasing: bytes[(start + width)..<offset])
        }

        static func unpack<M>(_ body: UnsafeRawBufferPointer, _ unpack: (UnsafeMutablePointer<ProtobufCAllocator>?, Int, UnsafePointer<UInt8>?) -> UnsafeMutablePointer<M>?) -> UnsafeMutablePointer<M>? {
            // protobuf-c reads `len` bytes from the pointer; an empty record still needs a valid address.
            var empty: UInt8 = 0
            if body.isEmpty { return unpack(nil, 0, &empty) }
            return unpack(nil, body.count, body.baseAddress!.assumingMemoryBound(to: UInt8.self))
        }

        mutating func header() throws -> (value: SessionSnapshot, expectedNodes: Int) {
            let at = offset
            let body = try nextRecord("header")
            guard let h = Self.unpack(body, flowrun__snapshot_header__unpack) else {
                throw fail("the header is not a valid SnapshotHeader message (corrupt)", at: at)
            }
            defer { flowrun__snapshot_header__free_unpacked(h, nil) }
            let m = h.pointee
            guard m.format_version == SessionSnapshot.formatVersion else {
                throw fail("snapshot format \(m.format_version); this flowrun reads format \(SessionSnapshot.formatVersion)", at: at)
            }
            guard Int(m.node_count) <= SnapshotDecoding.maxNodes else { throw fail("the header announces \(m.node_count) node records (corrupt)", at: at) }
            var nodes: [SessionSnapshot.NodeIdentity] = []
            for i in 0..<m.n_nodes {
                guard let n = m.nodes[i]?.pointee else { throw fail("node identity \(i) is missing", at: at) }
                nodes.append(.init(id: Self.text(n.id), type: Self.text(n.type), params: Self.texts(n.params, n.n_params)))
            }
            var models: [SessionSnapshot.ModelFingerprint] = []
            for i in 0..<m.n_models {
                guard let f = m.models[i]?.pointee else { throw fail("model fingerprint \(i) is missing", at: at) }
                models.append(.init(node: Self.text(f.node), param: Self.text(f.param), path: Self.text(f.path), digest: Self.text(f.digest)))
            }
            let identity = SessionSnapshot.Identity(graphName: Self.text(m.graph_name), nodes: nodes,
                                                    edges: Self.texts(m.edges, m.n_edges), models: models)
            let snapshot = SessionSnapshot(writer: Self.text(m.writer), graphFile: Self.text(m.graph_file), identity: identity,
                                           framesDone: m.frames_done >= 0 ? Int(m.frames_done) : nil, nodes: [])
            return (snapshot, Int(m.node_count))
        }

        mutating func nodeState() throws -> SessionSnapshot.Entry {
            let at = offset
            let body = try nextRecord("node state")
            guard let r = Self.unpack(body, flowrun__node_state_record__unpack) else {
                throw fail("the node state is not a valid NodeStateRecord message (corrupt)", at: at)
            }
            defer { flowrun__node_state_record__free_unpacked(r, nil) }
            let m = r.pointee
            let id = Self.text(m.node_id)
            var state = NodeState()
            state.framesDone = m.frames_done >= 0 ? Int(m.frames_done) : nil
            for i in 0..<m.n_scalars {
                guard let s = m.scalars[i]?.pointee else { throw fail("node '\(id)': scalar \(i) is missing", at: at) }
                let key = Self.text(s.key)
                switch s.value_case {
                case FLOWRUN__STATE_SCALAR__VALUE_INT_VALUE:
                    guard let v = Int(exactly: s.int_value) else { throw fail("node '\(id)': '\(key)' does not fit an Int", at: at) }
                    state.ints[key] = v
                case FLOWRUN__STATE_SCALAR__VALUE_DOUBLE_VALUE: state.doubles[key] = s.double_value
                case FLOWRUN__STATE_SCALAR__VALUE_STRING_VALUE: state.strings[key] = Self.text(s.string_value)
                default: throw fail("node '\(id)': scalar '\(key)' has no value", at: at)
                }
            }
            for i in 0..<m.n_tensors {
                guard let t = m.tensors[i]?.pointee else { throw fail("node '\(id)': tensor \(i) is missing", at: at) }
                let key = Self.text(t.name)
                state.tensors[key] = try tensor(t, key: "node '\(id)': tensor '\(key)'", recordAt: at)
            }
            return SessionSnapshot.Entry(id: id, type: Self.text(m.node_type), state: state)
        }

        /// A tensor whose bytes are inline or follow the record (consumed here).
        mutating func tensor(_ t: Flowrun__TensorHeader, key: String, recordAt: Int) throws -> Tensor {
            guard let dtype = SnapshotDType.dtype(t.dtype) else { throw fail("\(key): unknown dtype code \(t.dtype.rawValue)", at: recordAt) }
            guard t.n_shape <= SnapshotDecoding.maxRank else { throw fail("\(key): rank \(t.n_shape) (corrupt)", at: recordAt) }
            var shape: [Int] = []
            var count = 1
            for i in 0..<t.n_shape {
                let d = t.shape[i]
                guard d >= 0, d <= Int64(Int32.max) else { throw fail("\(key): dimension \(d) (corrupt)", at: recordAt) }
                shape.append(Int(d))
                let (product, overflow) = count.multipliedReportingOverflow(by: Int(d))
                guard !overflow, product <= Int(Int32.max) else { throw fail("\(key): shape \(shape) is too large (corrupt)", at: recordAt) }
                count = product
            }
            let expected = count * dtype.byteSize
            let source: UnsafeRawBufferPointer
            if t.data.len > 0 {
                guard t.byte_length == 0, t.data.len == expected else {
                    throw fail("\(key): \(t.data.len) inline bytes for \(dtype) \(shape), which needs \(expected)", at: recordAt)
                }
                source = UnsafeRawBufferPointer(start: t.data.data, count: t.data.len)
            } else {
                guard t.byte_length == UInt64(expected) else {
                    throw fail("\(key): \(t.byte_length) bytes for \(dtype) \(shape), which needs \(expected) (corrupt)", at: recordAt)
                }
                guard expected <= bytes.count - offset else {
                    throw fail("\(key): \(expected) bytes of tensor data should follow, but only \(bytes.count - offset) remain (truncated)")
                }
                source = UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + expected)])
                offset += expected
            }
            return Tensor(shape: shape, dtype: dtype, fillBytes: { out in
                if !source.isEmpty { out.copyMemory(from: source) }
            })
        }

        mutating func trailer() throws {
            let at = offset
            let body = try nextRecord("trailer")
            guard let t = Self.unpack(body, flowrun__snapshot_trailer__unpack) else {
                throw fail("the trailer is not a valid SnapshotTrailer message (corrupt)", at: at)
            }
            defer { flowrun__snapshot_trailer__free_unpacked(t, nil) }
            guard t.pointee.length == UInt64(at) else {
                throw fail("the trailer says the snapshot is \(t.pointee.length) bytes before it, but it is \(at) (corrupt)", at: at)
            }
            let digest = ContentDigest.of(UnsafeRawBufferPointer(rebasing: bytes[0..<at]))
            guard t.pointee.digest == digest else {
                throw fail("the digest of the first \(at) bytes does not match the trailer's: the file was altered or damaged", at: at)
            }
            guard offset == bytes.count else {
                throw fail("\(bytes.count - offset) unexpected byte(s) after the trailer", at: offset)
            }
        }

        static func text(_ p: UnsafeMutablePointer<CChar>?) -> String { p.map { String(cString: $0) } ?? "" }

        static func texts(_ p: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?, _ n: Int) -> [String] {
            guard let p else { return [] }
            return (0..<n).map { text(p[$0]) }
        }
    }
}

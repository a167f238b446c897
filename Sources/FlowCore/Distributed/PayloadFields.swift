import Foundation
import FlowKit

/// Writes a payload into a header's fields and a list of tensors whose bytes follow the header.
struct PayloadWriter {
    var fields: [EdgeHeader.Field] = []
    var specs: [EdgeHeader.TensorSpec] = []
    private var copies: [(UnsafeMutableRawPointer) -> Void] = []

    mutating func int(_ name: String, _ v: Int?) { if let v { fields.append(.init(name: name, int: v)) } }
    mutating func double(_ name: String, _ v: Double?) { if let v { fields.append(.init(name: name, double: v)) } }
    mutating func string(_ name: String, _ v: String?) { if let v { fields.append(.init(name: name, string: v)) } }
    mutating func bool(_ name: String, _ v: Bool) { int(name, v ? 1 : 0) }

    mutating func tensor(_ name: String, _ t: Tensor) throws {
        guard EdgeHeader.protoDTypes.contains(where: { $0.0 == t.dtype }) else {
            throw NodeError("tensor '\(name)' has dtype \(t.dtype), which cannot cross ranks")
        }
        let length = t.count * t.dtype.byteSize
        specs.append(.init(name: name, dtype: t.dtype, shape: t.shape, byteLength: length))
        copies.append { dst in t.withUnsafeBytes { src in if let b = src.baseAddress { dst.copyMemory(from: b, byteCount: length) } } }
    }

    mutating func bytes(_ name: String, _ v: [UInt8], shape: [Int]) {
        specs.append(.init(name: name, dtype: .u8, shape: shape, byteLength: v.count))
        copies.append { dst in v.withUnsafeBytes { if let b = $0.baseAddress { dst.copyMemory(from: b, byteCount: v.count) } } }
    }

    mutating func int32s(_ name: String, _ v: [Int32]) {
        specs.append(.init(name: name, dtype: .i32, shape: [v.count], byteLength: v.count * 4))
        copies.append { dst in v.withUnsafeBytes { if let b = $0.baseAddress { dst.copyMemory(from: b, byteCount: v.count * 4) } } }
    }

    /// The tensors' bytes, one after another in `specs` order; nil when there are none.
    func payload() -> ByteBuffer? {
        let total = specs.reduce(0) { $0 + $1.byteLength }
        guard total > 0 else { return nil }
        let buffer = ByteBuffer(count: total)
        var offset = 0
        for (spec, copy) in zip(specs, copies) {
            copy(buffer.bytes + offset)
            offset += spec.byteLength
        }
        return buffer
    }
}

/// Reads a payload back from a header and the bytes that followed it.
struct PayloadReader {
    let header: EdgeHeader
    let payload: ByteBuffer?
    private var offsets: [String: (EdgeHeader.TensorSpec, Int)] = [:]

    init(header: EdgeHeader, payload: ByteBuffer?) throws {
        self.header = header
        self.payload = payload
        var offset = 0
        for s in header.tensors {
            offsets[s.name] = (s, offset)
            offset += s.byteLength
        }
        guard offset == (payload?.count ?? 0) else {
            throw NodeError("a \(header.payloadType) from another rank announces \(offset) tensor bytes but \(payload?.count ?? 0) arrived")
        }
    }

    private func field(_ name: String) -> EdgeHeader.Field? { header.fields.first { $0.name == name } }
    private func missing(_ name: String) -> NodeError { NodeError("a \(header.payloadType) from another rank lacks '\(name)'") }

    func int(_ name: String) throws -> Int { guard let f = field(name) else { throw missing(name) }; return f.int }
    func optionalInt(_ name: String) -> Int? { field(name)?.int }
    func double(_ name: String) throws -> Double { guard let f = field(name) else { throw missing(name) }; return f.double }
    func optionalDouble(_ name: String) -> Double? { field(name)?.double }
    func string(_ name: String) throws -> String { guard let f = field(name) else { throw missing(name) }; return f.string }
    func bool(_ name: String) throws -> Bool { try int(name) != 0 }

    /// The bytes of tensor `name`, checked against its shape and, when given, its dtype.
    private func raw(_ name: String, dtype: DType? = nil) throws -> (EdgeHeader.TensorSpec, UnsafeRawBufferPointer) {
        guard let (spec, offset) = offsets[name], let payload else { throw missing(name) }
        if let dtype, spec.dtype != dtype { throw NodeError("tensor '\(name)' from another rank is \(spec.dtype), expected \(dtype)") }
        guard spec.byteLength == spec.shape.reduce(1, *) * spec.dtype.byteSize else {
            throw NodeError("tensor '\(name)' from another rank: \(spec.byteLength) bytes do not fit shape \(spec.shape) of \(spec.dtype)")
        }
        return (spec, UnsafeRawBufferPointer(start: payload.bytes + offset, count: spec.byteLength))
    }

    func tensor(_ name: String) throws -> Tensor {
        let (spec, src) = try raw(name)
        return Tensor(shape: spec.shape, dtype: spec.dtype) { dst in if let b = src.baseAddress, let d = dst.baseAddress, src.count > 0 { d.copyMemory(from: b, byteCount: src.count) } }
    }

    func hasTensor(_ name: String) -> Bool { offsets[name] != nil }

    func bytes(_ name: String) throws -> [UInt8] { Array(try raw(name, dtype: .u8).1) }

    func int32s(_ name: String) throws -> [Int32] {
        let src = try raw(name, dtype: .i32).1
        return [Int32](unsafeUninitializedCapacity: src.count / 4) { dst, n in
            if let b = src.baseAddress { UnsafeMutableRawPointer(dst.baseAddress!).copyMemory(from: b, byteCount: src.count) }
            n = src.count / 4
        }
    }
}

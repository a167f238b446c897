import FlowKit
import FlowProtos
import FlowRecords

/// A tensor inline in a `TensorHeader` (f32, little-endian, in `data`), and back with every field checked:
/// a record's shape and byte count must agree before a single float is read.
enum TensorRecord {
    static func header(_ tensor: Tensor, name: String, _ memory: CAllocations) -> Flowrun__TensorHeader {
        var h = Flowrun__TensorHeader()
        flowrun__tensor_header__init(&h)
        let values = tensor.contiguous().withUnsafeFloats { Array($0) }
        h.name = memory.string(name)
        h.dtype = FLOWRUN__DTYPE__DTYPE_F32
        h.n_shape = tensor.shape.count
        h.shape = memory.array(tensor.shape.map(Int64.init))
        let bytes = values.withUnsafeBytes { Array($0) }
        h.data = ProtobufCBinaryData(len: bytes.count, data: memory.array(bytes))
        return h
    }

    /// The tensor of `pointer`; `what` names the field in errors. `rank` pins the expected rank when given.
    static func tensor(_ pointer: UnsafeMutablePointer<Flowrun__TensorHeader>?, what: String, rank: Int? = nil) throws -> Tensor {
        guard let h = pointer?.pointee else { throw ProtobufMessage.Invalid("\(what): missing") }
        guard h.dtype == FLOWRUN__DTYPE__DTYPE_F32 else { throw ProtobufMessage.Invalid("\(what): dtype \(h.dtype.rawValue), expected f32 (1)") }
        guard h.byte_length == 0 else { throw ProtobufMessage.Invalid("\(what): payload after the header (byte_length \(h.byte_length)); rollout records keep tensors inline") }
        let shape = (0..<h.n_shape).map { Int(h.shape[$0]) }
        if let rank, shape.count != rank { throw ProtobufMessage.Invalid("\(what): shape \(shape), expected rank \(rank)") }
        var elements = 1
        for d in shape {
            guard d >= 0 else { throw ProtobufMessage.Invalid("\(what): negative dimension in shape \(shape)") }
            let (product, overflow) = elements.multipliedReportingOverflow(by: d)
            guard !overflow, product <= Int.max / 4 else { throw ProtobufMessage.Invalid("\(what): shape \(shape) is too large") }
            elements = product
        }
        guard h.data.len == elements * 4 else {
            throw ProtobufMessage.Invalid("\(what): shape \(shape) needs \(elements * 4) bytes of f32, the record has \(h.data.len)")
        }
        let raw = UnsafeRawBufferPointer(start: h.data.data, count: h.data.len)
        return Tensor(shape: shape) { out in
            for i in 0..<elements { out[i] = raw.loadUnaligned(fromByteOffset: i * 4, as: Float.self) }
        }
    }
}

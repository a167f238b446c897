import FlowKit

extension Tensor {
    /// |x| for every element, contiguous. A bilinear kernel (GEMM, linear, convolution) run on the
    /// absolute values of its inputs yields Σ|a·b| for every output: the M_i of `Tolerance`.
    public var absolute: Tensor {
        let source = self
        return Tensor(shape: shape) { out in
            source.withUnsafeFloats { x in for i in 0..<x.count { out[i] = abs(x[i]) } }
        }
    }
}

/// Largest absolute difference of two same-shaped tensors.
public func maxAbsDifference(_ a: Tensor, _ b: Tensor) -> Float {
    precondition(a.shape == b.shape, "shapes differ: \(a.shape) vs \(b.shape)")
    return zip(a.toArray(), b.toArray()).reduce(Float(0)) { max($0, abs($1.0 - $1.1)) }
}

/// Largest magnitude in a tensor.
public func maxAbs(_ a: Tensor) -> Float { a.toArray().reduce(0) { max($0, abs($1)) } }

/// Cosine similarity of two vectors, in double precision.
public func cosineSimilarity(_ a: [Float], _ b: [Float]) -> Double {
    precondition(a.count == b.count, "\(a.count) values against \(b.count)")
    var dot = 0.0, na = 0.0, nb = 0.0
    for i in a.indices {
        dot += Double(a[i]) * Double(b[i])
        na += Double(a[i]) * Double(a[i])
        nb += Double(b[i]) * Double(b[i])
    }
    return dot / max((na * nb).squareRoot(), 1e-30)
}

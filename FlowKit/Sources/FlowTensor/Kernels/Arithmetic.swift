extension Kernels {
    /// a + b. `b` has a's shape, or a's trailing shape (broadcast over leading dimensions).
    public static func add(_ a: Tensor, _ b: Tensor) -> Tensor { broadcast(a, b, "add") { $0 + $1 } }

    /// a · b elementwise, broadcasting like `add`.
    public static func multiply(_ a: Tensor, _ b: Tensor) -> Tensor { broadcast(a, b, "multiply") { $0 * $1 } }

    /// a · factor.
    public static func scale(_ a: Tensor, by factor: Float) -> Tensor {
        a.requireF32("scale")
        return elementwise(a, vector: { $0 * factor }, scalar: { $0 * factor })
    }

    /// Applies `vector` 16 lanes at a time (`scalar` on the tail) to every element.
    @inline(__always)
    static func elementwise(_ x: Tensor, vector: (SIMDMath.V) -> SIMDMath.V, scalar: (Float) -> Float) -> Tensor {
        Tensor(shape: x.shape) { out in
            x.withUnsafeFloats { src in SIMDMath.map(src, out, vector: vector, scalar: scalar) }
        }
    }

    @inline(__always)
    private static func broadcast(_ a: Tensor, _ b: Tensor, _ name: String,
                                  _ op: (SIMDMath.V, SIMDMath.V) -> SIMDMath.V) -> Tensor {
        a.requireF32(name); b.requireF32(name)
        precondition(b.rank <= a.rank && Array(a.shape.suffix(b.rank)) == b.shape,
                     "\(name): shape \(b.shape) does not broadcast to \(a.shape)")
        let period = b.count
        return Tensor(shape: a.shape) { out in
            a.withUnsafeFloats { x in
                b.withUnsafeFloats { y in
                    guard period > 0 else { return }
                    let w = SIMDMath.width
                    var start = 0
                    while start < x.count {
                        let xs = UnsafeRawPointer(x.baseAddress! + start), o = UnsafeMutableRawPointer(out.baseAddress! + start)
                        let ys = UnsafeRawPointer(y.baseAddress!)
                        var i = 0
                        while i + w <= period {
                            o.storeBytes(of: op(xs.loadUnaligned(fromByteOffset: i * 4, as: SIMDMath.V.self),
                                                ys.loadUnaligned(fromByteOffset: i * 4, as: SIMDMath.V.self)),
                                         toByteOffset: i * 4, as: SIMDMath.V.self)
                            i += w
                        }
                        while i < period {
                            out[start + i] = op(SIMDMath.V(repeating: x[start + i]), SIMDMath.V(repeating: y[i]))[0]
                            i += 1
                        }
                        start += period
                    }
                }
            }
        }
    }
}

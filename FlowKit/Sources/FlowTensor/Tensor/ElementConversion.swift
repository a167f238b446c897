/// Scalar conversions between storage dtypes and f32.
public enum ElementConversion {
    /// f32 -> bf16 bits, rounding to nearest even; NaN stays NaN.
    @inline(__always)
    public static func bf16Bits(_ x: Float) -> UInt16 {
        let bits = x.bitPattern
        if x.isNaN { return UInt16(truncatingIfNeeded: bits >> 16) | 0x0040 }
        let roundingBias: UInt32 = 0x7FFF + ((bits >> 16) & 1)
        return UInt16(truncatingIfNeeded: (bits &+ roundingBias) >> 16)
    }

    /// bf16 bits -> f32 (exact).
    @inline(__always)
    public static func float(bf16Bits bits: UInt16) -> Float { Float(bitPattern: UInt32(bits) << 16) }

    /// Loads one element of `dtype` at `p` as Float. Tolerates unaligned addresses.
    @inline(__always)
    static func load(_ p: UnsafeRawPointer, _ dtype: DType) -> Float {
        switch dtype {
        case .f32: return p.loadUnaligned(as: Float.self)
        case .f16: return Float(p.loadUnaligned(as: Float16.self))
        case .bf16: return float(bf16Bits: p.loadUnaligned(as: UInt16.self))
        case .f64: return Float(p.loadUnaligned(as: Double.self))
        case .i8: return Float(p.loadUnaligned(as: Int8.self))
        case .u8, .bool: return Float(p.loadUnaligned(as: UInt8.self))
        case .i16: return Float(p.loadUnaligned(as: Int16.self))
        case .i32: return Float(p.loadUnaligned(as: Int32.self))
        case .i64: return Float(p.loadUnaligned(as: Int64.self))
        }
    }

    /// Stores `x` as one element of `dtype` at `p`. Integers round to nearest and saturate.
    @inline(__always)
    static func store(_ x: Float, _ p: UnsafeMutableRawPointer, _ dtype: DType) {
        func saturated<I: FixedWidthInteger>(_: I.Type) -> I {
            if x.isNaN { return 0 }
            let r = x.rounded(.toNearestOrEven)
            if r >= Float(I.max) { return I.max }
            if r <= Float(I.min) { return I.min }
            return I(r)
        }
        switch dtype {
        case .f32: p.storeBytes(of: x, as: Float.self)
        case .f16: p.storeBytes(of: Float16(x), as: Float16.self)
        case .bf16: p.storeBytes(of: bf16Bits(x), as: UInt16.self)
        case .f64: p.storeBytes(of: Double(x), as: Double.self)
        case .i8: p.storeBytes(of: saturated(Int8.self), as: Int8.self)
        case .u8: p.storeBytes(of: saturated(UInt8.self), as: UInt8.self)
        case .bool: p.storeBytes(of: x != 0 ? 1 : 0, as: UInt8.self)
        case .i16: p.storeBytes(of: saturated(Int16.self), as: Int16.self)
        case .i32: p.storeBytes(of: saturated(Int32.self), as: Int32.self)
        case .i64: p.storeBytes(of: saturated(Int64.self), as: Int64.self)
        }
    }
}

extension Tensor {
    /// The same values in another dtype (f32 <-> f16/bf16 is the common case). Converting to an
    /// integer dtype rounds and saturates; for scaled int8 use `Int8Quantized`.
    public func converted(to target: DType) -> Tensor {
        if target == dtype { return self }
        let source = contiguous()
        let n = count, inSize = dtype.byteSize, outSize = target.byteSize
        let sourceType = dtype
        return Tensor(shape: shape, dtype: target) { out in
            source.withUnsafeBytes { src in
                let s = src.baseAddress!, t = out.baseAddress!
                switch (sourceType, target) {
                case (.f32, .bf16):
                    let f = s.assumingMemoryBound(to: Float.self), b = t.assumingMemoryBound(to: UInt16.self)
                    for i in 0..<n { b[i] = ElementConversion.bf16Bits(f[i]) }
                case (.bf16, .f32):
                    let b = s.assumingMemoryBound(to: UInt16.self), f = t.assumingMemoryBound(to: Float.self)
                    for i in 0..<n { f[i] = ElementConversion.float(bf16Bits: b[i]) }
                case (.f32, .f16):
                    let f = s.assumingMemoryBound(to: Float.self), h = t.assumingMemoryBound(to: Float16.self)
                    for i in 0..<n { h[i] = Float16(f[i]) }
                case (.f16, .f32):
                    let h = s.assumingMemoryBound(to: Float16.self), f = t.assumingMemoryBound(to: Float.self)
                    for i in 0..<n { f[i] = Float(h[i]) }
                default:
                    for i in 0..<n {
                        ElementConversion.store(ElementConversion.load(s + i * inSize, sourceType), t + i * outSize, target)
                    }
                }
            }
        }
    }
}

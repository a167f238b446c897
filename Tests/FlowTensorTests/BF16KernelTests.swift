import XCTest
import FlowKit
import FlowTestSupport

/// The bf16 path (oneDNN, `Precision.bf16`) computes exactly this: inputs and weights rounded to bf16, products
/// (exact in f32: 8 + 8 significant bits) summed in f32. So it must equal an f32 GEMM on the rounded operands to
/// within f32 summation error: a tight test that fails if oneDNN rounds differently, drops a bias or runs f32.
final class BF16KernelTests: XCTestCase {
    func requireBF16() throws {
        try XCTSkipUnless(BF16Runtime.isAvailable, "this CPU has no native bf16 (\(BF16Runtime.kernelDescription)); the bf16 path falls back to f32")
    }

    func random(_ shape: [Int], seed: UInt64) -> Tensor {
        var rng = SplitMix64(seed: seed)
        return Tensor(shape: shape, values: (0..<shape.reduce(1, *)).map { _ in Float(Double(rng.next() >> 11) * 0x1p-53 * 2 - 1) })
    }

    /// Rounding matches the scalar reference (round to nearest even, NaN kept) on every edge case, whichever of
    /// the vector or plain-C conversion this CPU uses. Subnormal inputs may become zero (AVX512-BF16's conversion
    /// treats them as zero; they are below 1.2e-38, far under anything a network computes).
    func testConversionRoundsToNearestEven() {
        var values: [Float] = [0, -0, 1, -1, .infinity, -.infinity, .nan, .greatestFiniteMagnitude, .leastNonzeroMagnitude,
                               Float(bitPattern: 0x3F80_8000), Float(bitPattern: 0x3F81_8000), Float(bitPattern: 0x3F80_8001),
                               Float(bitPattern: 0x7F7F_FFFF), Float(bitPattern: 0x0000_8000)]
        var rng = SplitMix64(seed: 7)
        for _ in 0..<1000 { values.append(Float(bitPattern: UInt32(truncatingIfNeeded: rng.next()))) }
        let x = Tensor(shape: [values.count], values: values)
        let fast = x.bf16Bits(), scalar = x.converted(to: .bf16)
        fast.withUnsafeBytes { a in
            scalar.withUnsafeBytes { b in
                let pa = a.bindMemory(to: UInt16.self), pb = b.bindMemory(to: UInt16.self)
                for i in 0..<values.count where values[i].isNaN {
                    XCTAssertTrue(Float(bitPattern: UInt32(pa[i]) << 16).isNaN, "NaN at \(i) lost")
                }
                for i in 0..<values.count where values[i].isSubnormal {
                    let kept = pa[i] == pb[i], flushed = pa[i] & 0x7FFF == 0 && pa[i] >> 15 == pb[i] >> 15
                    XCTAssertTrue(kept || flushed, "subnormal \(values[i]) became bits \(String(pa[i], radix: 16))")
                }
                for i in 0..<values.count where !values[i].isNaN && !values[i].isSubnormal {
                    XCTAssertEqual(pa[i], pb[i], "value \(values[i]) (bits \(String(values[i].bitPattern, radix: 16)))")
                }
            }
        }
    }

    func testLinearIsTheF32ProductOfRoundedOperands() throws {
        try requireBF16()
        let x = random([37, 150], seed: 1), w = random([70, 150], seed: 2), b = random([70], seed: 3)
        let layer = Linear(weight: w, bias: b, precision: .bf16)
        XCTAssertEqual(layer.precision, .bf16)
        let actual = layer(x)
        let rx = x.bf16Bits().converted(to: .f32), rw = w.bf16Bits().converted(to: .f32)
        let expected = Linear(weight: rw, bias: b)(rx)
        let magnitudes = Linear(weight: rw.absolute, bias: b.absolute)(rx.absolute)
        assertWithin(actual, expected, .reduction(length: 151, magnitudes: magnitudes, evaluations: 2), "bf16 linear")
        // ... and it is not the f32 layer: rounding the operands moves the result by far more than f32 error.
        XCTAssertGreaterThan(maxAbsDifference(actual, Linear(weight: w, bias: b)(x)), 1e-4)
    }

    func testConvolutionIsTheF32ConvolutionOfRoundedOperands() throws {
        try requireBF16()
        let x = random([2, 8, 11, 13], seed: 4), w = random([6, 8, 3, 3], seed: 5), b = random([6], seed: 6)
        let actual = Kernels.conv2d(x, weight: w.bf16Bits(), bias: b, padding: (1, 1))
        let rx = x.bf16Bits().converted(to: .f32), rw = w.bf16Bits().converted(to: .f32)
        let expected = Kernels.conv2d(rx, weight: rw, bias: b, padding: (1, 1))
        let magnitudes = Kernels.conv2d(rx.absolute, weight: rw.absolute, bias: b.absolute, padding: (1, 1))
        assertWithin(actual, expected, .reduction(length: 8 * 9 + 1, magnitudes: magnitudes, evaluations: 2), "bf16 conv2d")
        // A causal 3D convolution with a past (the VAE decoder's mid block) takes the same path.
        let v = random([1, 4, 3, 6, 5], seed: 7), past = random([1, 4, 2, 6, 5], seed: 8), w3 = random([4, 4, 3, 3, 3], seed: 9)
        let actual3 = Kernels.causalConv3d(v, weight: w3.bf16Bits(), bias: nil, past: past, padding: (1, 1))
        let r = { (t: Tensor) in t.bf16Bits().converted(to: .f32) }
        let expected3 = Kernels.causalConv3d(r(v), weight: r(w3), bias: nil, past: r(past), padding: (1, 1))
        let magnitudes3 = Kernels.causalConv3d(r(v).absolute, weight: r(w3).absolute, bias: nil, past: r(past).absolute, padding: (1, 1))
        assertWithin(actual3, expected3, .reduction(length: 4 * 27, magnitudes: magnitudes3, evaluations: 2), "bf16 causal conv3d")
    }

    func testF32LayersStayF32() {
        let layer = Linear(weight: random([4, 3], seed: 10), precision: .f32)
        XCTAssertEqual(layer.precision, .f32)
        XCTAssertEqual(Precision.bf16.effective, BF16Runtime.isAvailable ? .bf16 : .f32)
    }
}

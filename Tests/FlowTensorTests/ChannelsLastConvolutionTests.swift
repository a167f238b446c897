import XCTest
import FlowKit
import FlowTestSupport

/// oneDNN's convolution primitive on channels-last activations (`ChannelsLastConvolution`, the VAE decoder's
/// convolutions) against the channels-first im2col + GEMM convolutions (`Kernels.conv2d`, `causalConv3d`) on
/// random data. f32: both sides are f32 sums of the same C·k + 1 terms in different orders, so they agree
/// within the f32 reduction bound (`Tolerance.reduction`, two evaluations), on every OpenBLAS kernel. bf16: the
/// primitive computes the f32 convolution of bf16-rounded input and weight (exact products, f32 sums), so it
/// agrees with the f32 path on rounded operands within the same bound, and differs from the unrounded one.
final class ChannelsLastConvolutionTests: XCTestCase {
    func random(_ shape: [Int], seed: UInt64) -> Tensor {
        var rng = SplitMix64(seed: seed)
        return Tensor(shape: shape, values: (0..<shape.reduce(1, *)).map { _ in Float(Double(rng.next() >> 11) * 0x1p-53 * 2 - 1) })
    }

    /// (input [N, C, H, W], out channels, kernel, stride, padding): the decoder's 3x3 convolutions at its channel
    /// counts, odd sizes, channels not a multiple of the vector width, a 1x1 kernel, stride 2 with padding.
    let cases2D: [(input: [Int], out: Int, kernel: Int, stride: Int, padding: Int)] = [
        ([3, 32, 16, 16], 32, 3, 1, 1), ([2, 64, 9, 7], 32, 3, 1, 1), ([3, 32, 12, 12], 12, 3, 1, 1),
        ([1, 16, 8, 8], 128, 3, 1, 1), ([2, 5, 7, 6], 3, 3, 1, 1), ([2, 24, 6, 5], 40, 1, 1, 0),
        ([1, 16, 11, 9], 8, 3, 2, 1), ([1, 8, 5, 5], 4, 3, 1, 0),
    ]

    func check2D(precision: Precision) {
        for (i, c) in cases2D.enumerated() {
            let x = random(c.input, seed: UInt64(10 + i)), w = random([c.out, c.input[1], c.kernel, c.kernel], seed: UInt64(30 + i))
            let b = random([c.out], seed: UInt64(50 + i))
            let conv = ChannelsLastConvolution(weight: w, bias: b, stride: (1, c.stride, c.stride), padding: (c.padding, c.padding),
                                               precision: precision)
            XCTAssertEqual(conv.precision, precision)
            let actual = conv(x.channelsLast()).channelsFirst()
            let r = { (t: Tensor) in precision == .bf16 ? t.bf16Bits().converted(to: .f32) : t }
            let run = { (x: Tensor, w: Tensor, b: Tensor) in
                Kernels.conv2d(x, weight: w, bias: b, stride: (c.stride, c.stride), padding: (c.padding, c.padding))
            }
            let expected = run(r(x), r(w), b)
            XCTAssertEqual(actual.shape, expected.shape, "case \(i)")
            let magnitudes = run(r(x).absolute, r(w).absolute, b.absolute)
            assertWithin(actual, expected, .reduction(length: c.input[1] * c.kernel * c.kernel + 1, magnitudes: magnitudes, evaluations: 2),
                         "\(precision) conv case \(i) \(c)")
            if precision == .bf16 { XCTAssertGreaterThan(maxAbsDifference(actual, run(x, w, b)), 1e-4, "bf16 really ran, case \(i)") }
        }
    }

    /// A causal 3x3x3 convolution is the 3D convolution, valid in time, over [past frames, new frames].
    func checkCausal3D(precision: Precision) {
        for (i, (channels, out, frames, side)) in [(128, 128, 3, 8), (8, 12, 1, 5), (20, 16, 4, 6)].enumerated() {
            let x = random([1, channels, frames, side, side], seed: UInt64(70 + i)), past = random([1, channels, 2, side, side], seed: UInt64(80 + i))
            let w = random([out, channels, 3, 3, 3], seed: UInt64(90 + i)), b = random([out], seed: UInt64(100 + i))
            let conv = ChannelsLastConvolution(weight: w, bias: b, padding: (1, 1), precision: precision)
            let actual = conv(Tensor.concatenate([past, x], dim: 2).channelsLast()).channelsFirst()
            let r = { (t: Tensor) in precision == .bf16 ? t.bf16Bits().converted(to: .f32) : t }
            let expected = Kernels.causalConv3d(r(x), weight: r(w), bias: b, past: r(past), padding: (1, 1))
            let magnitudes = Kernels.causalConv3d(r(x).absolute, weight: r(w).absolute, bias: b.absolute, past: r(past).absolute, padding: (1, 1))
            XCTAssertEqual(actual.shape, expected.shape)
            assertWithin(actual, expected, .reduction(length: channels * 27 + 1, magnitudes: magnitudes, evaluations: 2),
                         "\(precision) causal conv3d case \(i)")
        }
    }

    func testF32MatchesIm2col() {
        check2D(precision: .f32)
        checkCausal3D(precision: .f32)
    }

    func testBF16IsTheF32ConvolutionOfRoundedOperands() throws {
        try XCTSkipUnless(BF16Runtime.isAvailable, "this CPU has no native bf16 (\(BF16Runtime.kernelDescription)); the bf16 path falls back to f32")
        check2D(precision: .bf16)
        checkCausal3D(precision: .bf16)
    }

    /// `adding:` (a residual block's skip, summed by the primitive) is the convolution plus the tensor, to the
    /// rounding of that one addition.
    func testResidualIsAdded() {
        let x = random([2, 9, 10, 32], seed: 1), skip = random([2, 9, 10, 16], seed: 2)
        let conv = ChannelsLastConvolution(weight: random([16, 32, 3, 3], seed: 3), bias: random([16], seed: 4), padding: (1, 1))
        let y = conv(x, adding: skip), plain = conv(x)
        assertWithin(y, Kernels.add(plain, skip), .elementwise(relative: 0x1p-23, absolute: 0), "residual")
        XCTAssertGreaterThan(maxAbsDifference(y, plain), 0.5)
    }

    /// GroupNorm (+ SiLU) channels-last equals the channels-first kernels, under every vector variant.
    func testGroupNormChannelsLastMatchesChannelsFirst() {
        defer { VectorISA.select(VectorISA.best) }
        for isa in VectorISA.allCases where isa.isSupported {
            VectorISA.select(isa)
            for (shape, groups) in [([3, 32, 64, 64], 8), ([2, 128, 8, 8], 8), ([2, 20, 5, 7], 4), ([1, 12, 3, 3, 2], 3)] {
                let x = Kernels.add(random(shape, seed: 5), Tensor(shape: shape, repeating: 3))     // a mean far from zero
                let w = random([shape[1]], seed: 6), b = random([shape[1]], seed: 7)
                let reference = Kernels.groupNorm(x, groups: groups, weight: w, bias: b, epsilon: 1e-6)
                let last = x.channelsLast()
                let plain = Kernels.groupNormChannelsLast(last, groups: groups, weight: w, bias: b, epsilon: 1e-6).channelsFirst()
                assertWithin(plain, reference, .elementwise(relative: 1e-5, absolute: 1e-6), "\(isa) groupnorm \(shape)")
                let fused = Kernels.groupNormChannelsLast(last, groups: groups, weight: w, bias: b, epsilon: 1e-6, silu: true).channelsFirst()
                assertWithin(fused, Kernels.silu(reference), .elementwise(relative: 1e-5, absolute: 1e-6), "\(isa) groupnorm+silu \(shape)")
            }
        }
    }

    func testUpsampleChannelsLastIsExact() {
        let x = random([2, 5, 3, 4], seed: 8)
        let expected = Kernels.upsampleNearest(x, scale: (h: 2, w: 3))
        let actual = Kernels.upsampleNearestChannelsLast(x.channelsLast(), scale: (h: 2, w: 3)).channelsFirst()
        assertWithin(actual, expected, .exact, "upsample")
    }

    func testImplementationIsNamed() {
        let conv = ChannelsLastConvolution(weight: random([8, 8, 3, 3], seed: 9), bias: nil, padding: (1, 1))
        let name = conv.implementation(for: [1, 8, 8, 8])
        XCTAssertFalse(name.isEmpty || name.hasPrefix("unavailable"), name)
    }
}

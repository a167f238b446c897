import Foundation
import XCTest
import FlowKit
import FlowTestSupport
@testable import TextEncoderNodes

/// The two compute pieces this target adds on top of FlowTensor, checked against FlowTensor's own.
final class EncoderKernelTests: XCTestCase {
    private func values(_ count: Int, seed: Int) -> [Float] {
        (0..<count).map { i in Float(((i &* 2_654_435_761 &+ seed) % 2001) - 1000) / 1000 }
    }

    /// Two float32 GEMMs that block the same 384-term sums differently (column slices below 21 rows,
    /// the kernels OpenBLAS picks for each shape) differ by rounding alone: at most λu√(2·385)·Σ|x·w|
    /// per element (FlowTestSupport's Tolerance), whatever OpenBLAS kernel runs. A fixed 1e-4 was not
    /// enough once the sums reach ~100 (Cooperlake: 1.14e-4 at 20 rows).
    func testTransposedLinearEqualsLinearAtEveryRowCountAroundTheSlicingRule() {
        let weight = Tensor(shape: [1152, 384], values: values(1152 * 384, seed: 1))
        let bias = Tensor(shape: [1152], values: values(1152, seed: 2))
        let fast = TransposedLinear(weight: weight, bias: bias)
        let reference = Linear(weight: weight, bias: bias)
        let magnitudes = Linear(weight: weight.absolute, bias: bias.absolute)
        for rows in [1, 3, 16, 20, 21, 64] {
            let x = Tensor(shape: [rows, 384], values: values(rows * 384, seed: rows))
            let expected = reference(x)
            assertWithin(fast(x), expected, .reduction(length: 385, magnitudes: magnitudes(x.absolute), evaluations: 2), "rows \(rows)")
            XCTAssertGreaterThan(cosineSimilarity(fast(x).toArray(), expected.toArray()), 0.999_999, "rows \(rows)")
        }
        XCTAssertLessThan(TransposedLinear.columnsPerCall(rows: 16, inFeatures: 384, outFeatures: 1152), 1152)
        XCTAssertEqual(TransposedLinear.columnsPerCall(rows: 21, inFeatures: 384, outFeatures: 1152), 1152)
    }
}

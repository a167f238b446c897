import Foundation
import XCTest
import FlowKit
@testable import TextEncoderNodes

/// The two compute pieces this target adds on top of FlowTensor, checked against FlowTensor's own.
final class EncoderKernelTests: XCTestCase {
    private func values(_ count: Int, seed: Int) -> [Float] {
        (0..<count).map { i in Float(((i &* 2_654_435_761 &+ seed) % 2001) - 1000) / 1000 }
    }

    func testTransposedLinearEqualsLinearAtEveryRowCountAroundTheSlicingRule() {
        let weight = Tensor(shape: [1152, 384], values: values(1152 * 384, seed: 1))
        let bias = Tensor(shape: [1152], values: values(1152, seed: 2))
        let fast = TransposedLinear(weight: weight, bias: bias)
        let reference = Linear(weight: weight, bias: bias)
        for rows in [1, 3, 16, 20, 21, 64] {
            let x = Tensor(shape: [rows, 384], values: values(rows * 384, seed: rows))
            let d = compare(fast(x).toArray(), reference(x).toArray())
            XCTAssertLessThanOrEqual(d.maxAbs, 1e-4, "rows \(rows)")
            XCTAssertGreaterThan(d.cosine, 0.999_999, "rows \(rows)")
        }
        XCTAssertLessThan(TransposedLinear.columnsPerCall(rows: 16, inFeatures: 384, outFeatures: 1152), 1152)
        XCTAssertEqual(TransposedLinear.columnsPerCall(rows: 21, inFeatures: 384, outFeatures: 1152), 1152)
    }

    func testExactGELUMatchesTheErfFormToAFewUlps() {
        let xs = (0...20_000).map { Float($0 - 10_000) / 1000 }
        var fast = Tensor(shape: [xs.count], values: xs)
        ExactGELU.apply(&fast)
        let reference = Kernels.gelu(Tensor(shape: [xs.count], values: xs), approximation: .erf).toArray()
        // The fit's erf error (3.6e-7) scaled by x/2, plus float rounding of the result.
        let outside = zip(xs, zip(fast.toArray(), reference)).filter { x, pair in abs(pair.0 - pair.1) > 1e-6 + 2e-7 * abs(x) }
        XCTAssertEqual(outside.count, 0, "\(outside.prefix(5))")
        // Tails: exactly x far right, 0 far left (no NaN from the rational form).
        var tails = Tensor(shape: [4], values: [-1e6, -50, 50, 1e6])
        ExactGELU.apply(&tails)
        XCTAssertEqual(tails.toArray(), [0, 0, 50, 1e6])
    }
}

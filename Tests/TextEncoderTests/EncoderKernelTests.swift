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
}

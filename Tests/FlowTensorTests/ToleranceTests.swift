import XCTest
import FlowKit
import FlowTestSupport

/// The numeric checks are only as good as the comparison itself: make sure it rejects.
final class ToleranceTests: XCTestCase {
    let golden = Tolerance.elementwise(relative: 1e-5, absolute: 1e-6)

    func failures(_ a: [Float], _ e: [Float], _ tolerance: Tolerance) -> Int { NumericComparison(a, e, tolerance).failures }

    func testElementwiseMismatchesAreCounted() {
        let e: [Float] = [1, -2, 1000, 0, .infinity]
        XCTAssertEqual(failures(e, e, golden), 0)
        XCTAssertEqual(failures([1.01, -2, 1000, 0, .infinity], e, golden), 1)
        XCTAssertEqual(failures([1, -2, 1000, 0.01, .infinity], e, golden), 1)
        XCTAssertEqual(failures([1, -2, 1000, 0, -.infinity], e, golden), 1)
        XCTAssertEqual(failures([1, -2, 1000, .nan, .infinity], e, golden), 1)
        // 1e-6 of max|e| = 1e-3 absolute allowance near zero.
        XCTAssertEqual(failures([1, -2, 1000, 0.0009, .infinity], e, golden), 0)
        XCTAssertEqual(failures([1, 2], [1, 2], .exact), 0)
        XCTAssertEqual(failures([1, 2.000001], [1, 2], .exact), 1)
    }

    func testReductionBoundScalesWithMagnitudeAndLength() {
        // λ·u·√K·M: K = 100, M = 10 gives 7 · 2⁻²⁴ · 10 · 10 ≈ 4.17e-5, plus u·|e| ≈ 6e-8.
        let m = Tensor(shape: [2], values: [10, 10])
        let bound = 7 * 0x1p-24 * 100 + 0x1p-24
        let tolerance = Tolerance.reduction(length: 100, magnitudes: m)
        XCTAssertEqual(failures([Float(1 + 0.9 * bound), 0], [1, 0], tolerance), 0)
        XCTAssertEqual(failures([Float(1 + 1.2 * bound), 0], [1, 0], tolerance), 1)
        // Two float32 evaluations: √2 more.
        let two = Tolerance.reduction(length: 100, magnitudes: m, evaluations: 2)
        XCTAssertEqual(failures([Float(1 + 1.3 * bound), 0], [1, 0], two), 0)
        let report = NumericComparison([Float(1 + 0.5 * bound), 0], [1, 0], tolerance)
        XCTAssertEqual(report.worstIndex, 0)
        XCTAssertEqual(report.worstRatio, 0.5, accuracy: 0.05)
    }

    func testNetworkBoundFollowsEachElementAndTheRMS() {
        // λ·u·√(K/6)·(|e_i| + RMS(e)): K = 600, e = [3, 0, 4, 0] has RMS 2.5.
        let tolerance = Tolerance.network(reductionLength: 600)
        let unit = 7 * 0x1p-24 * 10
        let e: [Float] = [3, 0, 4, 0]
        XCTAssertEqual(failures([3, Float(0.9 * unit * 2.5), 4, 0], e, tolerance), 0)
        XCTAssertEqual(failures([3, Float(1.1 * unit * 2.5), 4, 0], e, tolerance), 1)
        // The element itself counts too: 4 + 2.5, plus u·|e| from the relative term.
        XCTAssertEqual(failures([3, 0, Float(4 + 0.9 * unit * 6.5), 0], e, tolerance), 0)
        XCTAssertEqual(failures([3, 0, Float(4 + 1.2 * unit * 6.5), 0], e, tolerance), 1)
    }

    func testLargestExpectedMagnitude() {
        let tolerance = Tolerance(coefficient: 1e-3, magnitude: .largestExpected)
        XCTAssertEqual(failures([10, 0.009], [10, 0], tolerance), 0)
        XCTAssertEqual(failures([10, 0.011], [10, 0], tolerance), 1)
    }
}

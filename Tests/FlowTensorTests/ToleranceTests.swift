import XCTest

/// The golden comparisons are only as good as the comparison itself: make sure it rejects.
final class ToleranceTests: XCTestCase {
    func testMismatchesAreCounted() {
        let e: [Float] = [1, -2, 1000, 0, .infinity]
        XCTAssertEqual(mismatches(e, e, relative: 1e-5, absolute: 1e-6).count, 0)
        XCTAssertEqual(mismatches([1.01, -2, 1000, 0, .infinity], e, relative: 1e-5, absolute: 1e-6).count, 1)
        XCTAssertEqual(mismatches([1, -2, 1000, 0.01, .infinity], e, relative: 1e-5, absolute: 1e-6).count, 1)
        XCTAssertEqual(mismatches([1, -2, 1000, 0, -.infinity], e, relative: 1e-5, absolute: 1e-6).count, 1)
        XCTAssertEqual(mismatches([1, -2, 1000, .nan, .infinity], e, relative: 1e-5, absolute: 1e-6).count, 1)
        // 1e-6 of max|e| = 1e-3 absolute allowance near zero.
        XCTAssertEqual(mismatches([1, -2, 1000, 0.0009, .infinity], e, relative: 1e-5, absolute: 1e-6).count, 0)
    }
}

import Foundation
import XCTest
import FlowKit

/// Loads the numpy golden files (Training/make_kernel_fixtures.py).
struct Fixture {
    let file: SafetensorsFile

    init(_ name: String) throws {
        let url = try XCTUnwrap(Bundle.module.url(forResource: name, withExtension: "safetensors", subdirectory: "Fixtures"),
                                "fixture \(name).safetensors missing; run Training/make_kernel_fixtures.py")
        file = try SafetensorsFile(path: url.path)
    }

    subscript(_ name: String) -> Tensor { get throws { try file.floatTensor(name) } }
    func raw(_ name: String) throws -> Tensor { try file.tensor(name) }
    func ints(_ name: String) throws -> [Int] { try file.floatTensor(name).toArray().map { Int($0) } }
}

/// The golden-test tolerance. References are float64 results rounded to float32; our kernels
/// compute in float32. Each element must satisfy
///     |actual − expected| ≤ relative · |expected| + absolute · max|expected|
/// with relative = 1e-5 by default. The absolute term, a fraction of the tensor's largest
/// magnitude, covers elements near zero that come out of sums with cancellation (GEMMs,
/// convolutions, attention): float32 summation of K terms carries error ~ K·2^-24 of the
/// term magnitudes however small the result is. Elementwise kernels use absolute = 1e-6.
func assertClose(_ actual: Tensor, _ expected: Tensor, relative: Float = 1e-5, absolute: Float = 1e-6,
                 _ message: String = "", file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(actual.shape, expected.shape, "shape \(message)", file: file, line: line)
    guard actual.shape == expected.shape else { return }
    let report = mismatches(actual.toArray(), expected.toArray(), relative: relative, absolute: absolute)
    XCTAssertEqual(report.count, 0, "\(message): \(report.count) of \(actual.count) elements out of tolerance; \(report.worst)",
                   file: file, line: line)
}

/// Elements of `a` outside the tolerance around `e` (see `assertClose`), and the worst one.
func mismatches(_ a: [Float], _ e: [Float], relative: Float, absolute: Float) -> (count: Int, worst: String) {
    let scale = e.reduce(Float(0)) { max($0, $1.isFinite ? abs($1) : 0) }
    var count = 0, worstError: Float = -1, worst = ""
    for i in 0..<a.count {
        let error: Float
        if !e[i].isFinite {
            error = (a[i] == e[i] || (a[i].isNaN && e[i].isNaN)) ? 0 : .infinity
        } else {
            error = abs(a[i] - e[i])
            if error <= relative * abs(e[i]) + absolute * scale { continue }
        }
        if error == 0 { continue }
        count += 1
        if !(error <= worstError) { worstError = error; worst = "worst at \(i): \(a[i]) vs \(e[i])" }
    }
    return (count, worst)
}

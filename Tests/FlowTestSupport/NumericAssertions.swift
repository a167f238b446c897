import Foundation
import XCTest
import FlowKit

/// Fails the test when any element of `actual` is outside `tolerance` around `expected`, and returns
/// the comparison so a test can print or check more. With FLOWRUN_NUMERIC_REPORT set in the
/// environment every check prints one `numeric:` line (the OpenBLAS kernel, the test file, the
/// label, error/bound) so scripts/test can show how close each kernel comes to each bound.
@discardableResult
public func assertWithin(_ actual: Tensor, _ expected: Tensor, _ tolerance: Tolerance, _ label: String = "",
                         file: StaticString = #filePath, line: UInt = #line) -> NumericComparison? {
    XCTAssertEqual(actual.shape, expected.shape, "shape \(label)", file: file, line: line)
    guard actual.shape == expected.shape else { return nil }
    return assertWithin(actual.toArray(), expected.toArray(), tolerance, label, file: file, line: line)
}

/// `assertWithin` for flat arrays.
@discardableResult
public func assertWithin(_ actual: [Float], _ expected: [Float], _ tolerance: Tolerance, _ label: String = "",
                         file: StaticString = #filePath, line: UInt = #line) -> NumericComparison? {
    XCTAssertEqual(actual.count, expected.count, "element count \(label)", file: file, line: line)
    guard actual.count == expected.count else { return nil }
    let result = NumericComparison(actual, expected, tolerance)
    NumericReport.record(result, label, file: file)
    XCTAssertTrue(result.passed, "\(label): \(result)", file: file, line: line)
    return result
}

/// The `numeric:` report lines.
public enum NumericReport {
    /// Set (to anything) to print a line per check.
    public static let environmentVariable = "FLOWRUN_NUMERIC_REPORT"
    static let enabled = ProcessInfo.processInfo.environment[environmentVariable] != nil

    static func record(_ result: NumericComparison, _ label: String, file: StaticString) {
        guard enabled else { return }
        let source = URL(fileURLWithPath: "\(file)").deletingPathExtension().lastPathComponent
        let ratio = String(format: "%.4f", result.worstRatio), error = String(format: "%.3g", result.maxError)
        print("numeric: kernel=\(BLASRuntime.coreName) file=\(source) ratio=\(ratio) error=\(error) check=\(label)")
    }
}

import Foundation
import FlowKit

/// The outcome of holding a tensor to a `Tolerance`: how many elements broke their bound, and the
/// element closest to (or furthest past) it.
public struct NumericComparison: Sendable, CustomStringConvertible {
    public private(set) var count = 0
    /// Elements whose error exceeds their bound.
    public private(set) var failures = 0
    /// Largest error / bound over all elements (0 when every element matches exactly).
    public private(set) var worstRatio = 0.0
    public private(set) var worstIndex = -1
    public private(set) var worstActual: Float = 0
    public private(set) var worstExpected: Float = 0
    public private(set) var worstBound = 0.0
    /// Largest |actual − expected|, for logs.
    public private(set) var maxError = 0.0

    public var passed: Bool { failures == 0 }

    public var description: String {
        let worst = worstIndex < 0 ? "all exact"
            : "worst at \(worstIndex): \(worstActual) vs \(worstExpected), bound \(short(worstBound))"
        return "\(failures) of \(count) elements out of bound; max error \(short(maxError)), error/bound \(short(worstRatio)); \(worst)"
    }

    /// Compares flat arrays; per-element magnitudes must be as many as `expected`.
    public init(_ actual: [Float], _ expected: [Float], _ tolerance: Tolerance) {
        precondition(actual.count == expected.count, "\(actual.count) values against \(expected.count)")
        count = expected.count
        let finite = expected.filter(\.isFinite)
        let largest = finite.reduce(0.0) { max($0, Double(abs($1))) }
        let rms = (finite.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(max(finite.count, 1))).squareRoot()
        var magnitudes: [Float]?
        // M_i = fixedMagnitude + perElementWeight·|expected_i|, or the given magnitudes.
        var fixedMagnitude = 0.0, perElementWeight = 0.0
        switch tolerance.magnitude {
        case .perElement(let m):
            precondition(m.count == expected.count, "\(m.count) magnitudes for \(expected.count) values")
            magnitudes = m.toArray()
        case .largestExpected: fixedMagnitude = largest
        case .activations: fixedMagnitude = rms; perElementWeight = 1
        }
        let coefficient = tolerance.coefficient, floor = tolerance.floor * largest
        for i in 0..<count {
            let a = actual[i], e = expected[i]
            let error: Double, bound: Double
            if !e.isFinite {
                // Infinities and NaNs must come out the same: -inf is how masked scores are written.
                error = (a == e || (a.isNaN && e.isNaN)) ? 0 : .infinity
                bound = 0
            } else {
                error = Double(abs(a - e)).isNaN ? .infinity : Double(abs(a - e))
                let m = magnitudes.map { Double($0[i]) } ?? fixedMagnitude + perElementWeight * Double(abs(e))
                bound = tolerance.relative * Double(abs(e)) + coefficient * m + floor
            }
            maxError = max(maxError, error)
            if error == 0 { continue }
            let ratio = bound > 0 ? error / bound : .infinity
            if ratio > 1 { failures += 1 }
            if ratio > worstRatio || worstIndex < 0 {
                worstRatio = ratio; worstIndex = i; worstActual = a; worstExpected = e; worstBound = bound
            }
        }
    }

    public init(_ actual: Tensor, _ expected: Tensor, _ tolerance: Tolerance) {
        precondition(actual.shape == expected.shape, "shapes differ: \(actual.shape) vs \(expected.shape)")
        self.init(actual.toArray(), expected.toArray(), tolerance)
    }
}

private func short(_ x: Double) -> String { String(format: "%.3g", x) }

import FlowKit

/// Running error of the stored K/V against the f32 values they replaced.
struct QuantizationError: Sendable {
    private(set) var maxAbs: Float = 0
    private var squaredError: Double = 0
    private var squaredSignal: Double = 0

    /// Relative RMS error, sqrt(sum (q - x)^2 / sum x^2).
    var relativeRMS: Double { squaredSignal > 0 ? (squaredError / squaredSignal).squareRoot() : 0 }

    mutating func record(original: Tensor, stored: Tensor) {
        original.withUnsafeFloats { a in
            stored.withUnsafeFloats { b in
                for i in 0..<a.count {
                    let d = b[i] - a[i]
                    maxAbs = max(maxAbs, abs(d))
                    squaredError += Double(d * d)
                    squaredSignal += Double(a[i] * a[i])
                }
            }
        }
    }
}

import FlowKit

/// Running error of the stored K/V against the f32 values they replaced.
struct QuantizationError: Sendable {
    private(set) var maxAbs: Float = 0
    private var squaredError: Double = 0
    private var squaredSignal: Double = 0

    /// Relative RMS error, sqrt(sum (q - x)^2 / sum x^2).
    var relativeRMS: Double { squaredSignal > 0 ? (squaredError / squaredSignal).squareRoot() : 0 }

    /// A compressed frame's kept tokens re-quantized from their dequantized values: the extra error adds to the
    /// squared error (and the max, as a bound), while the signal was counted when the frame was first stored.
    mutating func recordRequantization(original: Tensor, stored: Tensor) { accumulate(original, stored, countSignal: false) }

    mutating func record(original: Tensor, stored: Tensor) { accumulate(original, stored, countSignal: true) }

    private mutating func accumulate(_ original: Tensor, _ stored: Tensor, countSignal: Bool) {
        original.withUnsafeFloats { a in
            stored.withUnsafeFloats { b in
                for i in 0..<a.count {
                    let d = b[i] - a[i]
                    maxAbs = max(maxAbs, abs(d))
                    squaredError += Double(d * d)
                    if countSignal { squaredSignal += Double(a[i] * a[i]) }
                }
            }
        }
    }
}

/// sentence-transformers' pooling for all-MiniLM-L6-v2: the mean of the token states (every
/// token counts; sequences are unpadded), then L2 normalisation as torch's F.normalize (eps 1e-12).
/// The text encoder makes `TextEmbedding.sentence` with it; a pooled_text denoiser given only token states
/// pools them the same way.
public enum SentencePooling {
    public static func meanNormalized(_ states: UnsafeBufferPointer<Float>, rows: Int, width: Int) -> [Float] {
        var mean = [Float](repeating: 0, count: width)
        for r in 0..<rows {
            for j in 0..<width { mean[j] += states[r * width + j] }
        }
        let inverseRows = 1 / Float(max(rows, 1))
        var squares: Float = 0
        for j in 0..<width {
            mean[j] *= inverseRows
            squares += mean[j] * mean[j]
        }
        let inverseNorm = 1 / max(squares.squareRoot(), 1e-12)
        return mean.map { $0 * inverseNorm }
    }
}

extension SentencePooling {
    /// The sentence vector [width] of token states [rows, width].
    public static func meanNormalized(_ states: Tensor) -> Tensor {
        precondition(states.rank == 2, "token states must be [L, width], got \(states.shape)")
        let (rows, width) = (states.shape[0], states.shape[1])
        return states.withUnsafeFloats { Tensor(shape: [width], values: meanNormalized($0, rows: rows, width: width)) }
    }
}

/// sentence-transformers' pooling for all-MiniLM-L6-v2: the mean of the token states (every
/// token counts; sequences are unpadded), then L2 normalisation as torch's F.normalize (eps 1e-12).
enum SentencePooling {
    static func meanNormalized(_ states: UnsafeBufferPointer<Float>, rows: Int, width: Int) -> [Float] {
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

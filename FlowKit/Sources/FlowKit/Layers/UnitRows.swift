/// Each row of x [N, D] divided by √(Σx² + ε), reference.py's `l2n`: ε inside the root, so a zero row stays
/// zero instead of dividing by zero. Summed in Double: the row sums are the only reduction here and cheap.
public func unitRows(_ x: Tensor, epsilon: Float) -> Tensor {
    let d = x.shape[x.rank - 1], rows = x.count / max(d, 1)
    return x.contiguous().withUnsafeFloats { src in
        Tensor(shape: x.shape) { out in
            for r in 0..<rows {
                var sum = 0.0
                for i in 0..<d { sum += Double(src[r * d + i]) * Double(src[r * d + i]) }
                let scale = Float(1 / (sum + Double(epsilon)).squareRoot())
                for i in 0..<d { out[r * d + i] = src[r * d + i] * scale }
            }
        }
    }
}

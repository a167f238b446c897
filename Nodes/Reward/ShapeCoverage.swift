/// world.py `_coverage` for one frame: the anti-aliased coverage in [0, 1] of a shape centred at (cx, cy) on the
/// wrapping plane. The analyzer fits these templates to what it sees, so the arithmetic is world.py's float32,
/// step for step: a template that differed in the last bit could pick another shape on a close call.
struct ShapeCoverage {
    let width: Int
    let height: Int

    /// Coverage of each pixel, row-major [height × width]; `radius` is world.py's r (half side for squares).
    func render(_ shape: WorldShape, cx: Float, cy: Float, radius r: Float) -> [Float] {
        let w = Float(width), h = Float(height)
        // Pixel centres relative to the shape, wrapped into [-size/2, size/2) (the torus).
        let dxs = (0..<width).map { floorMod(Float($0) + 0.5 - cx + w / 2, w) - w / 2 }
        let dys = (0..<height).map { floorMod(Float($0) + 0.5 - cy + h / 2, h) - h / 2 }
        let distance = signedDistance(shape, radius: r)
        var out = [Float](repeating: 0, count: width * height)
        for y in 0..<height {
            for x in 0..<width {
                out[y * width + x] = min(max(0.5 - distance(dxs[x], dys[y]), 0), 1)
            }
        }
        return out
    }

    /// Signed distance to the shape's edge (negative inside), as world.py computes it.
    private func signedDistance(_ shape: WorldShape, radius r: Float) -> (Float, Float) -> Float {
        switch shape {
        case .circle:
            return { dx, dy in (dx * dx + dy * dy).squareRoot() - r }
        case .square:
            let half = r * Float(0.9)
            return { dx, dy in max(abs(dx), abs(dy)) - half }
        case .triangle:
            // Upward-pointing isosceles triangle: apex (0, -1.1r), base corners (±1.1r, 0.88r), clockwise.
            let rr = r * Float(1.1), base = Float(0.8) * rr
            let s1 = Edge(px: 0, py: -rr, qx: rr, qy: base)
            let s2 = Edge(px: rr, py: base, qx: -rr, qy: base)
            let s3 = Edge(px: -rr, py: base, qx: 0, qy: -rr)
            return { dx, dy in max(max(s1.distance(dx, dy), s2.distance(dx, dy)), s3.distance(dx, dy)) }
        }
    }

    /// world.py's `side`: signed distance to the edge p -> q, negative inside.
    private struct Edge {
        let px: Float, py: Float, ex: Float, ey: Float, length: Float

        init(px: Float, py: Float, qx: Float, qy: Float) {
            self.px = px
            self.py = py
            ex = qx - px
            ey = qy - py
            length = (ex * ex + ey * ey).squareRoot()
        }

        func distance(_ dx: Float, _ dy: Float) -> Float {
            ((dx - px) * ey - (dy - py) * ex) / length
        }
    }
}

/// numpy's `np.mod` for floats: the remainder takes the divisor's sign.
func floorMod(_ a: Float, _ b: Float) -> Float {
    let m = a.truncatingRemainder(dividingBy: b)
    return m != 0 && (m < 0) != (b < 0) ? m + b : m
}

/// Python's `%` for floats (the analyzer wraps centroids with it): the remainder takes the divisor's sign.
func floorMod(_ a: Double, _ b: Double) -> Double {
    let m = a.truncatingRemainder(dividingBy: b)
    return m != 0 && (m < 0) != (b < 0) ? m + b : m
}

import Foundation

/// What one frame shows, as analyzer.py's `analyze_frame` reads it.
struct FrameObservation: Sendable {
    /// Index into `SyntheticWorld.backgrounds`.
    var background: Int
    /// The objects seen, by index into `SyntheticWorld.objectColours` (the world never shows a colour twice).
    var objects: [Int: ObjectObservation]
}

struct ObjectObservation: Sendable, Equatable {
    /// Sum of the colour's alpha map, in pixels.
    var area: Double
    /// Circular-mean centroid on the wrapping plane, in [0, width) and [0, height).
    var x: Double
    var y: Double
    /// The template of the smallest L1 error to the alpha map.
    var shape: WorldShape
    /// That error per pixel of area.
    var fitError: Double

    /// The world's "radius" the area implies for the fitted shape.
    var radius: Double { (area / shape.unitArea).squareRoot() }
}

/// A Swift port of analyzer.py `analyze_frame`: background = the background palette colour nearest to the
/// per-channel median; object pixels are those near the segment from the background to their nearest object
/// colour (anti-aliased edges are blends); per colour an alpha map gives area, a circular-mean centroid and the
/// best-fitting shape template drawn by world.py's rasteriser (`ShapeCoverage`) at the size the area implies.
/// Float32 where the analyzer computes in float32 and in its order, so decisions match it exactly
/// (Tests/RewardTests/FrameAnalysisParityTests).
struct FrameAnalyzer: Sendable {
    // Thresholds of analyzer.py, named as there.
    /// `MAX_COLOUR_DIST`: an opaque pixel farther than this from every object colour is not an object.
    static let maxColourDistance: Float = 90
    /// `MIN_AREA`: a colour needs this much alpha to count as an object.
    static let minArea = 12.0
    /// A pixel this close to the background is background (`d_bg > 25`).
    static let backgroundDistance: Float = 25
    /// A pixel this far off the background -> colour blend line is something else (`off_seg < 45`).
    static let offSegmentDistance: Float = 45

    let width: Int
    let height: Int
    private let templates: ShapeCoverage

    init(width: Int, height: Int) {
        self.width = width
        self.height = height
        templates = ShapeCoverage(width: width, height: height)
    }

    /// One frame, RGB bytes row-major [height, width, 3].
    func analyze(_ rgb: ArraySlice<UInt8>) -> FrameObservation {
        let n = width * height
        precondition(rgb.count == n * 3, "FrameAnalyzer: \(rgb.count) bytes for a \(width)x\(height) frame")
        let base = rgb.startIndex
        let bgIndex = nearestBackground(rgb)
        let bg = SyntheticWorld.backgrounds[bgIndex]
        var label = [Int](repeating: 0, count: n)
        var alpha = [Float](repeating: 0, count: n)
        var isObject = [Bool](repeating: false, count: n)
        for i in 0..<n {
            let r = Float(rgb[base + 3 * i]), g = Float(rgb[base + 3 * i + 1]), b = Float(rgb[base + 3 * i + 2])
            var best = 0, bestDistance = Float.infinity
            for (k, c) in SyntheticWorld.objectColours.enumerated() {
                let d = squaredSum(r - c.r, g - c.g, b - c.b).squareRoot()
                if d < bestDistance { (best, bestDistance) = (k, d) }
            }
            let c = SyntheticWorld.objectColours[best]
            let dBackground = squaredSum(r - bg.r, g - bg.g, b - bg.b).squareRoot()
            // Alpha: the pixel projected on the background -> colour segment.
            let sr = c.r - bg.r, sg = c.g - bg.g, sb = c.b - bg.b
            let dot = dotSum(r - bg.r, g - bg.g, b - bg.b, sr, sg, sb)
            let a = min(max(dot / max(squaredSum(sr, sg, sb), Float(1e-6)), 0), 1)
            let off = squaredSum(r - (bg.r + a * sr), g - (bg.g + a * sg), b - (bg.b + a * sb)).squareRoot()
            label[i] = best
            alpha[i] = a
            isObject[i] = dBackground > Self.backgroundDistance && off < Self.offSegmentDistance
                && (bestDistance < Self.maxColourDistance || a < Float(0.9))
        }
        var objects: [Int: ObjectObservation] = [:]
        for colour in Set((0..<n).filter { isObject[$0] }.map { label[$0] }).sorted() {
            var map = [Float](repeating: 0, count: n)
            var opaque = 0
            for i in 0..<n where isObject[i] && label[i] == colour {
                map[i] = alpha[i]
                if alpha[i] > Float(0.8) { opaque += 1 }
            }
            let area = Double(pairwiseSum(map))
            if area < Self.minArea || opaque < 4 { continue }
            objects[colour] = shapeAndPosition(map, area: area)
        }
        return FrameObservation(background: bgIndex, objects: objects)
    }

    /// The background palette colour nearest to the per-channel median (numpy's: the mean of the two middle
    /// values for an even count).
    private func nearestBackground(_ rgb: ArraySlice<UInt8>) -> Int {
        let n = width * height
        var histogram = [[Int]](repeating: [Int](repeating: 0, count: 256), count: 3)
        for i in 0..<n {
            for c in 0..<3 { histogram[c][Int(rgb[rgb.startIndex + 3 * i + c])] += 1 }
        }
        func sorted(_ c: Int, _ k: Int) -> Float {
            var seen = 0
            for v in 0..<256 {
                seen += histogram[c][v]
                if seen > k { return Float(v) }
            }
            return 255
        }
        let median = (0..<3).map { c in n % 2 == 1 ? sorted(c, n / 2) : (sorted(c, n / 2 - 1) + sorted(c, n / 2)) / 2 }
        var best = 0, bestDistance = Float.infinity
        for (k, bg) in SyntheticWorld.backgrounds.enumerated() {
            let d = squaredSum(bg.r - median[0], bg.g - median[1], bg.b - median[2])
            if d < bestDistance { (best, bestDistance) = (k, d) }
        }
        return best
    }

    /// analyzer.py `_shape_and_pos`: centroid by circular means, then the template of least L1 error, drawn
    /// around the centroid after rolling the map so the object sits mid-frame (away from the wrap).
    private func shapeAndPosition(_ map: [Float], area: Double) -> ObjectObservation {
        var columns = [Float](repeating: 0, count: width)
        for y in 0..<height {
            for x in 0..<width { columns[x] += map[y * width + x] }
        }
        let rows = (0..<height).map { y in pairwiseSum(map[(y * width)..<((y + 1) * width)]) }
        let cx = circularMean(columns) - 0.5, cy = circularMean(rows) - 0.5
        let sx = Int((Double(width / 2) - cx).rounded(.toNearestOrEven))
        let sy = Int((Double(height / 2) - cy).rounded(.toNearestOrEven))
        var rolled = [Float](repeating: 0, count: map.count)
        for y in 0..<height {
            let from = floorMod(y - sy, height)
            for x in 0..<width { rolled[y * width + x] = map[from * width + floorMod(x - sx, width)] }
        }
        let ccx = cx + Double(sx), ccy = cy + Double(sy)
        var best = WorldShape.circle, bestError = Double.infinity
        for shape in WorldShape.allCases {
            let r = (area / shape.unitArea).squareRoot()
            let template = templates.render(shape, cx: Float(ccx + 0.5), cy: Float(ccy + 0.5 - shape.centroidOffset * r),
                                            radius: Float(r))
            let error = Double(pairwiseSum(zip(template, rolled).map { abs($0 - $1) }))
            if error < bestError { (best, bestError) = (shape, error) }
        }
        return ObjectObservation(area: area, x: floorMod(cx, Double(width)), y: floorMod(cy, Double(height)),
                                 shape: best, fitError: bestError / area)
    }

    /// analyzer.py `_circ_mean`: the weighted mean position on a circle of `w.count` pixels, in pixels.
    private func circularMean(_ w: [Float]) -> Double {
        let n = Double(w.count)
        let angles = (0..<w.count).map { (Double($0) + 0.5) / n * 2 * Double.pi }
        let s = pairwiseSum(zip(w, angles).map { Double($0) * sin($1) })
        let c = pairwiseSum(zip(w, angles).map { Double($0) * cos($1) })
        return floorMod(atan2(s, c), 2 * Double.pi) / (2 * Double.pi) * n
    }
}

/// numpy's sum over three channels, in its order (0 + a² + b² + c²).
private func squaredSum(_ a: Float, _ b: Float, _ c: Float) -> Float {
    var sum = a * a
    sum += b * b
    sum += c * c
    return sum
}

private func dotSum(_ a: Float, _ b: Float, _ c: Float, _ x: Float, _ y: Float, _ z: Float) -> Float {
    var sum = a * x
    sum += b * y
    sum += c * z
    return sum
}

private func floorMod(_ a: Int, _ b: Int) -> Int { ((a % b) + b) % b }

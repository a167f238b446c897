import Foundation

/// How an object moved over a run of consecutive frames, from its centroid track: analyzer.py
/// `classify_motion` (area trend for grow / shrink, line fit for the eight directions, vertical wobble for
/// bounce, else still), with one addition for short tracks.
///
/// The analyzer judges 32 frames. The verifier judges a block (12 frames), and there a bounce (a period of 16
/// frames, `|sin|`-shaped) often looks like a straight move up: from a segment's start the object rises 10 px for
/// 8 frames and falls back under 2 px. So before the line fit, a track that swings both up and down, with a
/// vertical range of 4 px or more and the smaller swing at least max(1 px, 15% of the range), and that drifts
/// less than `moveSpeed` sideways, is a bounce. On 150 analyzer-validation scripts (blocks of 12 frames, truth
/// clips) this takes bounce from 0% to 98% right and costs no other motion anything; a straight move has no
/// swing back.
struct MotionJudge: Sendable {
    /// analyzer.py `MOVE_SPEED`, px/frame: slower is not a move.
    static let moveSpeed = 0.35
    /// analyzer.py: a track needs at least this many observed frames.
    static let minObservedFrames = 6

    struct Point: Sendable {
        var x: Double, y: Double, area: Double
    }

    /// The wrapping plane's size in pixels.
    let width: Double
    let height: Double

    /// The motion of the object of colour `colour` over `frames`; nil when it is seen in too few of them.
    /// As analyzer.py `judge_window`: frames where another object touches it (occlusion moves its area and
    /// centroid) are left out, unless that leaves fewer than 8.
    func motion(of colour: Int, in frames: [FrameObservation]) -> WorldMotion? {
        let present = frames.map { $0.objects[colour] }
        let clear = zip(present, frames).map { p, frame in p.flatMap { touching($0, colour, frame) ? nil : $0 } }
        let useClear = clear.compactMap { $0 }.count >= 8
        return classify((useClear ? clear : present).map { $0.map { Point(x: $0.x, y: $0.y, area: $0.area) } },
                        minFraction: useClear ? 0.25 : 0.5)
    }

    /// analyzer.py `classify_motion` without `area_ref` (see `RewardVerifierNode` for grow and shrink), plus the
    /// two-way swing test for bounce.
    func classify(_ track: [Point?], minFraction: Double) -> WorldMotion? {
        let kept = track.indices.filter { track[$0] != nil }
        guard kept.count >= max(Self.minObservedFrames, Int(Double(track.count) * minFraction)) else { return nil }
        let points = kept.map { track[$0]! }
        let t = kept.map(Double.init)
        let xs = Self.unwrap(points.map(\.x), period: width), ys = Self.unwrap(points.map(\.y), period: height)
        let areas = points.map(\.area)
        let q = max(2, points.count / 4)
        let a0 = Self.median(areas.prefix(q)), a1 = Self.median(areas.suffix(q))
        if a1 > 1.35 * a0 { return .grow }
        if a1 < 0.74 * a0 { return .shrink }
        let vx = Self.slope(t, xs), vy = Self.slope(t, ys)
        if abs(vx) < Self.moveSpeed, Self.swingsBothWays(ys) { return .bounce }
        if (vx * vx + vy * vy).squareRoot() >= Self.moveSpeed {
            let angle = floorMod(atan2(-vy, vx) * 180 / Double.pi, 360)
            return WorldMotion.sectors[Int(floorMod(angle + 22.5, 360) / 45) % 8]
        }
        let intercept = Self.mean(ys) - vy * Self.mean(t)
        let residuals = zip(t, ys).map { $1 - (intercept + vy * $0) }
        let m = Self.mean(residuals)
        let std = (residuals.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(residuals.count)).squareRoot()
        return std > 1.8 ? .bounce : .still
    }

    /// Up and down, both clearly: the range is at least 4 px and the smaller of the largest rise and the
    /// largest fall is at least max(1 px, 15% of the range).
    static func swingsBothWays(_ ys: [Double]) -> Bool {
        guard let lo = ys.min(), let hi = ys.max(), hi - lo >= 4 else { return false }
        var rise = 0.0, fall = 0.0, runMin = ys[0], runMax = ys[0]
        for y in ys.dropFirst() {
            rise = max(rise, runMax - y)
            fall = max(fall, y - runMin)
            runMin = min(runMin, y)
            runMax = max(runMax, y)
        }
        return min(rise, fall) >= max(1, 0.15 * (hi - lo))
    }

    /// analyzer.py `_touching`: another object's disc (radius from its area) within reach of this one's.
    func touching(_ p: ObjectObservation, _ colour: Int, _ frame: FrameObservation) -> Bool {
        let ra = (p.area / Double.pi).squareRoot()
        for (other, q) in frame.objects where other != colour {
            let rb = (q.area / Double.pi).squareRoot()
            let dx = floorMod(p.x - q.x + width / 2, width) - width / 2
            let dy = floorMod(p.y - q.y + height / 2, height) - height / 2
            if (dx * dx + dy * dy).squareRoot() < 1.3 * (ra + rb) + 2 { return true }
        }
        return false
    }

    /// analyzer.py `_unwrap`: steps between kept frames taken the short way round the plane.
    static func unwrap(_ values: [Double], period: Double) -> [Double] {
        guard var last = values.first else { return [] }
        var out = [last]
        for (a, b) in zip(values, values.dropFirst()) {
            last += floorMod(b - a + period / 2, period) - period / 2
            out.append(last)
        }
        return out
    }

    /// Least-squares slope of y over t (numpy `polyfit(t, y, 1)[0]`).
    static func slope(_ t: [Double], _ y: [Double]) -> Double {
        let mt = mean(t), my = mean(y)
        var num = 0.0, den = 0.0
        for (a, b) in zip(t, y) {
            num += (a - mt) * (b - my)
            den += (a - mt) * (a - mt)
        }
        return den > 0 ? num / den : 0
    }

    private static func mean(_ x: [Double]) -> Double { x.reduce(0, +) / Double(max(x.count, 1)) }

    private static func median<C: Collection>(_ x: C) -> Double where C.Element == Double {
        let s = x.sorted(), n = s.count
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2
    }
}

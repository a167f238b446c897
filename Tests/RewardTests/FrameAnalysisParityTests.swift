import Foundation
import XCTest
import FlowKit
import FlowTestSupport
@testable import RewardNodes

/// `FrameAnalyzer` against analyzer.py `analyze_frame` on every frame of the verifier fixture (true and perturbed
/// world clips; Tests/ModelFixtures/verifier_clips, made by Training/make_verifier_fixtures.py).
///
/// Background, the set of colours seen and each object's shape must be equal. Area and centroid are float
/// sums: the port adds in numpy's order and float32 where numpy does, so they agree to rounding, but the
/// fixture stores them to 4 decimals and numpy's sin/cos may differ from Foundation's in the last bit; the
/// tolerance is 1e-3 px for the centroid (circular, so 63.9995 and 0.0004 are close) and 1e-3 + 1e-6·area
/// for the area (its 4-decimal rounding plus float32 rounding of a sum of 4096 values).
final class FrameAnalysisParityTests: XCTestCase {
    func testEveryFrameReadsAsTheAnalyzerReadsIt() throws {
        let fixture = try VerifierFixture.load()
        let analyzer = FrameAnalyzer(width: fixture.width, height: fixture.height)
        var frames = 0, objects = 0, worstArea = 0.0, worstCentroid = 0.0
        for clip in fixture.clips {
            for f in 0..<clip.frameCount {
                let seen = analyzer.analyze(clip.frames(f..<(f + 1))[...])
                let expected = clip.analysis[f]
                let at = "\(clip.name) frame \(f)"
                XCTAssertEqual(SyntheticWorld.backgrounds[seen.background].name, expected["bg"] as? String, at)
                let expectedObjects = try XCTUnwrap(expected["objs"] as? [String: [String: Any]], at)
                XCTAssertEqual(Set(seen.objects.keys.map { SyntheticWorld.objectColours[$0].name }), Set(expectedObjects.keys), at)
                for (colour, o) in seen.objects {
                    let name = SyntheticWorld.objectColours[colour].name
                    guard let e = expectedObjects[name] else { continue }
                    let area = try XCTUnwrap(e["area"] as? Double), x = try XCTUnwrap(e["x"] as? Double), y = try XCTUnwrap(e["y"] as? Double)
                    XCTAssertEqual(o.shape.rawValue, e["shape"] as? String, "\(at): \(name)")
                    let areaError = abs(o.area - area), centroidError = max(wrapped(o.x - x), wrapped(o.y - y))
                    XCTAssertLessThanOrEqual(areaError, 1e-3 + 1e-6 * area, "\(at): \(name) area \(o.area) vs \(area)")
                    XCTAssertLessThanOrEqual(centroidError, 1e-3, "\(at): \(name) centroid (\(o.x), \(o.y)) vs (\(x), \(y))")
                    worstArea = max(worstArea, areaError)
                    worstCentroid = max(worstCentroid, centroidError)
                    objects += 1
                }
                frames += 1
            }
        }
        XCTAssertEqual(frames, 192)
        XCTAssertGreaterThan(objects, 192)
        print("frame analysis vs analyzer.py: \(frames) frames, \(objects) objects; worst area error \(worstArea), worst centroid error \(worstCentroid) px")
    }

    /// The port is not vacuous: the fixture's clips show every background kind of decision it makes, and a frame
    /// whose object is recoloured reads differently.
    func testTheFixtureCoversEveryShapeAndAChangedFrameReadsDifferently() throws {
        let fixture = try VerifierFixture.load()
        let shapes = Set(fixture.clips.flatMap { $0.analysis.flatMap { ($0["objs"] as? [String: [String: Any]] ?? [:]).values.compactMap { $0["shape"] as? String } } })
        XCTAssertEqual(shapes, Set(WorldShape.allCases.map(\.rawValue)))
        let analyzer = FrameAnalyzer(width: 64, height: 64)
        let clip = fixture.clips[0]
        var frame = clip.frames(0..<1)
        let before = analyzer.analyze(frame[...])
        // Paint every pixel of the first object's exact colour with another palette colour.
        let (colour, _) = try XCTUnwrap(before.objects.min { $0.key < $1.key })
        let from = SyntheticWorld.objectColours[colour], to = SyntheticWorld.objectColours[(colour + 3) % 8]
        XCTAssertNil(before.objects[(colour + 3) % 8])
        for p in stride(from: 0, to: frame.count, by: 3)
        where (Float(frame[p]), Float(frame[p + 1]), Float(frame[p + 2])) == (from.r, from.g, from.b) {
            (frame[p], frame[p + 1], frame[p + 2]) = (UInt8(to.r), UInt8(to.g), UInt8(to.b))
        }
        XCTAssertNotNil(analyzer.analyze(frame[...]).objects[(colour + 3) % 8])
    }

    /// The value numpy gives (`np.array(x, np.float32).sum()`, bits 1090519058 = 8.000017): adding in order
    /// gives 8.0, since each tiny term is lost against 1 or 8 while numpy's blocks first add them together.
    func testPairwiseSumAddsInNumpysOrder() {
        let x: [Float] = [1] + [Float](repeating: 3e-8, count: 300) + [Float](repeating: 1, count: 7)
            + [Float](repeating: 2e-8, count: 500)
        XCTAssertEqual(pairwiseSum(x).bitPattern, 1_090_519_058)
        XCTAssertEqual(x.reduce(0, +), 8)
        XCTAssertEqual(pairwiseSum([1.0, 2, 3]), 6)
    }

    private func wrapped(_ d: Double) -> Double {
        let m = abs(d).truncatingRemainder(dividingBy: 64)
        return min(m, 64 - m)
    }
}

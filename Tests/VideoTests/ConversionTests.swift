import XCTest
@testable import VideoNodes

/// The pure arithmetic behind video.source: where a scaled frame lands, and which frames a rate keeps.
final class ConversionTests: XCTestCase {
    func testPlacement() {
        XCTAssertEqual(FitPolicy.crop.place(sourceWidth: 64, sourceHeight: 32, targetWidth: 32, targetHeight: 32),
                       .init(width: 64, height: 32, x: -16, y: 0))
        XCTAssertEqual(FitPolicy.pad.place(sourceWidth: 64, sourceHeight: 32, targetWidth: 32, targetHeight: 32),
                       .init(width: 32, height: 16, x: 0, y: 8))
        XCTAssertEqual(FitPolicy.stretch.place(sourceWidth: 64, sourceHeight: 32, targetWidth: 32, targetHeight: 32),
                       .init(width: 32, height: 32, x: 0, y: 0))
        XCTAssertEqual(FitPolicy.crop.place(sourceWidth: 1920, sourceHeight: 1080, targetWidth: 256, targetHeight: 256),
                       .init(width: 455, height: 256, x: -99, y: 0))
    }

    func testHalvingTheRateKeepsEveryOtherFrame() {
        var rate = FrameRateConverter(fps: 5)
        var kept: [Int] = []
        for i in 0..<20 where rate.accept(time: Double(i) / 10).emit { kept.append(i) }
        XCTAssertEqual(kept, [0, 2, 4, 6, 8, 10, 12, 14, 16, 18])
        XCTAssertEqual(rate.finish(endTime: 2.0), 0)
    }

    func testDoublingTheRateRepeatsEachFrame() {
        var rate = FrameRateConverter(fps: 20)
        var total = 0
        for i in 0..<20 {
            let step = rate.accept(time: 0.5 + Double(i) / 10)   // timestamps need not start at zero
            XCTAssertEqual(step.repeatPrevious, i == 0 ? 0 : 1)
            XCTAssertTrue(step.emit)
            total += step.repeatPrevious + 1
        }
        total += rate.finish(endTime: 2.5)
        XCTAssertEqual(total, 40)
    }
}

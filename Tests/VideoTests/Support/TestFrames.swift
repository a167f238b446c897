import Foundation
import FlowKit

/// Synthetic RGB frames whose content changes every frame (a moving square over a gradient), so an
/// encoder cannot collapse them and a round trip can be checked pixel by pixel.
enum TestFrames {
    static func batch(width: Int, height: Int, first: Int, count: Int, fps: Double = 15) -> FrameBatch {
        var rgb = [UInt8](repeating: 0, count: width * height * 3 * count)
        for f in 0..<count {
            let frame = first + f
            let square = (x: (frame * 3) % max(1, width - 8), y: (frame * 2) % max(1, height - 8))
            for y in 0..<height {
                for x in 0..<width {
                    let i = ((f * height + y) * width + x) * 3
                    let inSquare = x >= square.x && x < square.x + 8 && y >= square.y && y < square.y + 8
                    rgb[i] = inSquare ? 250 : UInt8(x * 255 / max(1, width - 1))
                    rgb[i + 1] = inSquare ? 240 : UInt8(y * 255 / max(1, height - 1))
                    rgb[i + 2] = inSquare ? 20 : UInt8((frame * 8) % 256)
                }
            }
        }
        return FrameBatch(width: width, height: height, firstFrame: first, fps: fps, rgb: rgb)
    }

    /// Frames of one solid colour.
    static func solid(width: Int, height: Int, count: Int, rgb color: (UInt8, UInt8, UInt8), fps: Double = 10) -> FrameBatch {
        var rgb = [UInt8](repeating: 0, count: width * height * 3 * count)
        for p in 0..<(width * height * count) {
            rgb[p * 3] = color.0
            rgb[p * 3 + 1] = color.1
            rgb[p * 3 + 2] = color.2
        }
        return FrameBatch(width: width, height: height, firstFrame: 0, fps: fps, rgb: rgb)
    }
}

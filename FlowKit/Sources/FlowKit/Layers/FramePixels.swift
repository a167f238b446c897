/// Display bytes to model pixels: x = u8 / 127.5 - 1 (the inverse of `FrameQuantizer`).
public enum FramePixels {
    /// Interleaved RGB24 frames, frame after frame -> planar video [count, 3, height, width].
    public static func planar(_ rgb: ArraySlice<UInt8>, count: Int, height: Int, width: Int) -> Tensor {
        let plane = height * width
        precondition(rgb.count == count * plane * 3, "FramePixels: \(rgb.count) bytes for \(count) frames of \(width)x\(height)")
        return Tensor(shape: [count, 3, height, width]) { out in
            rgb.withUnsafeBufferPointer { src in
                for f in 0..<count {
                    let s = src.baseAddress! + f * plane * 3
                    for c in 0..<3 {
                        let d = f * 3 * plane + c * plane
                        for i in 0..<plane { out[d + i] = Float(s[i * 3 + c]) / 127.5 - 1 }
                    }
                }
            }
        }
    }
}

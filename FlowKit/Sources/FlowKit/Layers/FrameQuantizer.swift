/// Model pixels in [-1, 1] to display bytes: round(clamp(x, -1, 1) * 127.5 + 127.5).
public enum FrameQuantizer {
    /// video [N, 3, H, W] (planar) -> interleaved RGB24, frame after frame.
    public static func rgb24(_ video: Tensor) -> [UInt8] {
        let n = video.shape[0], h = video.shape[2], w = video.shape[3], plane = h * w
        var out = [UInt8](repeating: 0, count: n * plane * 3)
        video.withUnsafeFloats { src in
            out.withUnsafeMutableBufferPointer { dst in
                for f in 0..<n {
                    for c in 0..<3 {
                        let s = src.baseAddress! + (f * 3 + c) * plane
                        let d = dst.baseAddress! + f * plane * 3 + c
                        for i in 0..<plane {
                            let v = min(max(s[i], -1), 1) * 127.5 + 127.5
                            d[i * 3] = UInt8(v.rounded())
                        }
                    }
                }
            }
        }
        return out
    }
}

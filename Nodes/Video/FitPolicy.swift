/// How a source frame is made to fill the requested size when the aspect ratios differ.
public enum FitPolicy: String, Sendable, CaseIterable {
    /// Scale to cover the target and cut the overflow equally from both sides: no bars, no distortion.
    case crop
    /// Scale to fit inside the target and fill the rest with black: nothing cut, no distortion.
    case pad
    /// Scale each axis independently: nothing cut, no bars, shapes distorted.
    case stretch

    /// Where the scaled source lands in the target: its scaled size and the offset of its top-left corner
    /// (negative when cropping, positive when padding).
    public struct Placement: Equatable, Sendable {
        public var width: Int
        public var height: Int
        public var x: Int
        public var y: Int
    }

    public func place(sourceWidth: Int, sourceHeight: Int, targetWidth: Int, targetHeight: Int) -> Placement {
        let sx = Double(targetWidth) / Double(sourceWidth)
        let sy = Double(targetHeight) / Double(sourceHeight)
        let width: Int
        let height: Int
        switch self {
        case .stretch:
            return Placement(width: targetWidth, height: targetHeight, x: 0, y: 0)
        case .crop:
            let s = max(sx, sy)
            width = max(targetWidth, Int((Double(sourceWidth) * s).rounded()))
            height = max(targetHeight, Int((Double(sourceHeight) * s).rounded()))
        case .pad:
            let s = min(sx, sy)
            width = min(targetWidth, max(1, Int((Double(sourceWidth) * s).rounded())))
            height = min(targetHeight, max(1, Int((Double(sourceHeight) * s).rounded())))
        }
        return Placement(width: width, height: height, x: (targetWidth - width) / 2, y: (targetHeight - height) / 2)
    }
}

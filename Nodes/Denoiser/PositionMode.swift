import FlowKit

/// How the denoiser places frames on RoPE's time axis.
enum PositionMode: String, Sendable, CaseIterable {
    /// Keys are cached after RoPE at the frame's absolute position (what the model was trained with): a stream
    /// longer than the trained positions extrapolates.
    case absolute
    /// LongLive's "infinity" mode: keys are cached before RoPE, and every call rotates them by the slot the
    /// frame takes in [sink | memory | window | block], so no run ever leaves the trained positions. Until the
    /// window first slides the slots equal the absolute positions.
    case infinity

    var keysRotated: Bool { self == .absolute }

    /// A context made by another mode's cache would be misread: say so instead.
    func check(_ context: KVContext) throws {
        if let frame = context.frames.first(where: { $0.keysRotated != keysRotated }) {
            let held = frame.keysRotated ? "keys rotated at absolute positions" : "position-free keys (before RoPE)"
            throw NodeError("block \(context.block): the cache holds \(held) (frame \(frame.position)), but this denoiser runs positions: \(rawValue); give the denoiser and every node feeding its cache one mode")
        }
    }
}

/// The few-step flow-matching schedule: sigma_i = shift * s / (1 + (shift - 1) * s), s = step / 1000.
/// With steps [1000, 750, 500, 250] and shift 5: 1, 0.9375, 0.8333, 0.625.
struct FlowSchedule: Sendable {
    let sigmas: [Float]

    init(steps: [Int], shift: Double) {
        sigmas = steps.map { step in
            let s = Double(step) / 1000
            return Float(shift * s / (1 + (shift - 1) * s))
        }
    }

    /// Timestep fed to the model for noise level sigma.
    static func timestep(_ sigma: Float) -> Float { 1000 * sigma }
}

/// The few-step flow-matching schedule: sigma_i = shift * s / (1 + (shift - 1) * s), s = step / 1000.
/// With steps [1000, 750, 500, 250] and shift 5: 1, 0.9375, 0.8333, 0.625.
struct FlowSchedule: Sendable {
    /// The steps in 0...1000 units, before the shift.
    let steps: [Double]
    let shift: Double
    let sigmas: [Float]

    init(steps: [Int], shift: Double) { self.init(timesteps: steps.map(Double.init), shift: shift) }

    init(timesteps: [Double], shift: Double) {
        steps = timesteps
        self.shift = shift
        sigmas = timesteps.map { Float(Self.sigma(step: $0, shift: shift)) }
    }

    static func sigma(step: Double, shift: Double) -> Double {
        let s = step / 1000
        return shift * s / (1 + (shift - 1) * s)
    }

    /// Video-to-video: `start` itself, then this schedule's steps below it (StreamDiffusionV2 enters
    /// the schedule part-way instead of at pure noise).
    func starting(at start: Double) -> FlowSchedule {
        FlowSchedule(timesteps: [start] + steps.filter { $0 < start }, shift: shift)
    }

    /// Timestep fed to the model for noise level sigma.
    static func timestep(_ sigma: Float) -> Float { 1000 * sigma }
}

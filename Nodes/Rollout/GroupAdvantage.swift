/// GRPO's advantage: each rollout's reward relative to its group, `(r - mean) / (std + epsilon)` with the
/// group's population standard deviation. A group whose rewards are all equal gets zero advantages (it
/// says nothing about which way to move).
struct GroupAdvantage {
    let epsilon: Float

    struct Result: Equatable {
        let mean: Float
        let std: Float
        let advantages: [Float]
    }

    func callAsFunction(_ rewards: [Float]) -> Result {
        precondition(!rewards.isEmpty, "GroupAdvantage: an empty group")
        let n = Double(rewards.count)
        let mean = rewards.reduce(0.0) { $0 + Double($1) } / n
        let variance = rewards.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / n
        let std = variance.squareRoot()
        let advantages = rewards.map { Float((Double($0) - mean) / (std + Double(epsilon))) }
        return Result(mean: Float(mean), std: Float(std), advantages: advantages)
    }
}

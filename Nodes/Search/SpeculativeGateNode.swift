import FlowKit

/// `speculative.gate`: SDVG's acceptance test. A drafted block is kept when the minimum of its frame
/// windows' rewards reaches `tau`; the first block always goes to the target (it anchors the cache).
public final class SpeculativeGateNode: Node, ReportsPendingWork {
    public static let contract = NodeContract(
        type: "speculative.gate",
        summary: "Speculative block decoding (SDVG): keeps a drafted block when its minimum window reward reaches tau",
        inputs: [
            .input("latents", LatentBlock.self, doc: "the drafter's blocks (denoiser.block role: draft)"),
            .input("scores", RewardScores.self, doc: "the drafted blocks' rewards (reward.scorer or reward.verifier on their decoded frames), by block"),
        ],
        outputs: [.output("verdict", DraftVerdict.self, doc: "per block: the draft and whether it is kept (to the target denoiser, role: verify)")],
        params: [
            ParamSpec("tau", .float, default: .float(0.5), range: 0...1,
                      doc: "acceptance threshold on the block's minimum window reward (a calibrated probability); 0 keeps every draft after the first block, 1 none"),
        ])

    private let tau: Float
    private var drafts: [Int: LatentBlock] = [:]
    private var rewards: [Int: Float?] = [:]
    private var kept = 0
    private var decided = 0
    private var rewardSum = 0.0

    public init(context: NodeContext) throws {
        tau = Float(context.params.double("tau"))
    }

    public func process(_ packet: Packet, port: String, _ io: NodeIO) throws {
        let block = packet.position
        if port == "latents" {
            drafts[block] = try packet.value(as: LatentBlock.self)
        } else {
            let scores = try packet.value(as: RewardScores.self)
            rewards[block] = scores.probabilities.min()
        }
        guard let draft = drafts[block], let reward = rewards[block] else { return }
        drafts[block] = nil
        rewards[block] = nil
        let accepted = block > 0 && (reward.map { $0 >= tau } ?? false)
        decided += 1
        if accepted { kept += 1 }
        if let reward { rewardSum += Double(reward) }
        try io.emit("verdict", Packet(position: block, payload: DraftVerdict(draft: draft, accepted: accepted, reward: reward, threshold: tau)))
    }

    public var pendingWork: [String] {
        Set(drafts.keys).symmetricDifference(rewards.keys).sorted().map { "block \($0): a draft or its reward never arrived" }
    }

    public func finish(_ io: NodeIO) throws {
        guard decided > 0 else { return io.log("speculative gate: no block decided") }
        io.log(String(format: "speculative gate: tau %.2f, %d of %d drafted block(s) accepted (%.1f%%; the first is always the target's), mean minimum window reward %.3f",
                      tau, kept, decided, 100 * Double(kept) / Double(decided), rewardSum / Double(decided)))
    }
}

import Foundation

/// One run of one configuration on one prompt.
struct Measurement {
    let configuration: Int           // index into the configuration list
    let rep: Int
    let frames: Int
    /// Graph start to the last frame batch reaching the output (beside the video encoder).
    let toLastFrame: Double
    /// Graph start to every node finished (the MP4 closed); node creation (weight loading) excluded.
    let wholeRun: Double
    let speculation: RunLog.Speculation?
    let candidatesPerBlock: Double?
    let denoiserBlockP50Ms: Double?
    /// Every node's busy seconds, busiest first: where the run's time went.
    let busy: [(id: String, seconds: Double)]
}

/// One configuration's runs boiled down to what the table prints.
struct ConfigurationSummary {
    let label: String
    /// Per repetition: all prompts' frames over all prompts' time, so a prompt that drafts well and one
    /// that does not weigh by their time, as they would in use; the median is over repetitions.
    let fpsByRep: [Double]
    let wholeRunFpsByRep: [Double]
    let acceptance: (kept: Int, total: Int)?
    let keptMs: Double?
    let generatedMs: Double?
    let candidatesPerBlock: Double?
    let denoiserBlockP50Ms: Double?
    let meanDraftReward: Double?

    init(label: String, runs: [Measurement]) {
        self.label = label
        let reps = Dictionary(grouping: runs, by: \.rep).values
        func fps(_ time: KeyPath<Measurement, Double>) -> [Double] {
            reps.map { r in Double(r.map(\.frames).reduce(0, +)) / r.map { $0[keyPath: time] }.reduce(0, +) }
        }
        fpsByRep = fps(\.toLastFrame)
        wholeRunFpsByRep = fps(\.wholeRun)
        let specs = runs.compactMap(\.speculation)
        acceptance = specs.isEmpty ? nil : (specs.map(\.kept).reduce(0, +), specs.map(\.total).reduce(0, +))
        keptMs = Self.mean(specs.flatMap(\.keptMs))
        generatedMs = Self.mean(specs.flatMap(\.generatedMs))
        candidatesPerBlock = Self.mean(runs.compactMap(\.candidatesPerBlock))
        let blockTimes = runs.compactMap(\.denoiserBlockP50Ms)
        denoiserBlockP50Ms = blockTimes.isEmpty ? nil : Self.median(blockTimes)
        meanDraftReward = Self.mean(specs.compactMap(\.meanDraftReward))
    }

    var medianFps: Double { Self.median(fpsByRep) }
    var medianWholeRunFps: Double { Self.median(wholeRunFpsByRep) }

    static func median(_ values: [Double]) -> Double {
        let s = values.sorted()
        guard !s.isEmpty else { return .nan }
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }

    static func mean(_ values: [Double]) -> Double? {
        values.isEmpty ? nil : values.reduce(0, +) / Double(values.count)
    }
}

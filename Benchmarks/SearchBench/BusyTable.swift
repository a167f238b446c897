import Foundation

/// Where each configuration's time went: every node's busy time (inside its calls, not blocked on a queue)
/// per output block, the median over the configuration's runs, busiest first, and their sum. On a machine
/// whose cores are all in use this sum, not any one node, is what bounds the frame rate.
enum BusyTable {
    static func render(_ configurations: [(label: String, runs: [Measurement])]) -> String {
        let width = max(31, configurations.map(\.label.count).max() ?? 0)
        return configurations.map { label, runs in
            guard !runs.isEmpty else { return label + ": no run" }
            var perBlock: [String: [Double]] = [:]
            for run in runs {
                let blocks = Double(max(1, run.frames / 12))
                for (id, seconds) in run.busy { perBlock[id, default: []].append(1000 * seconds / blocks) }
            }
            let medians = perBlock.mapValues(ConfigurationSummary.median).sorted { $0.value > $1.value }
            let shown = medians.filter { $0.value >= 0.5 }
            let total = medians.map(\.value).reduce(0, +)
            return label.padding(toLength: width, withPad: " ", startingAt: 0) + String(format: " total %6.1f: ", total)
                + shown.map { String(format: "%@ %.1f", $0.key as NSString, $0.value) }.joined(separator: ", ")
        }.joined(separator: "\n")
    }
}

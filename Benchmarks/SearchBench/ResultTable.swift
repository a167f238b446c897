import Foundation

/// The table the benchmark ends with; the first row is the baseline every ratio divides by.
enum ResultTable {
    private struct Column {
        let title: String
        let width: Int
        let value: (ConfigurationSummary) -> String
    }

    static func render(_ rows: [ConfigurationSummary]) -> String {
        guard let baseline = rows.first else { return "" }
        func f(_ format: String, _ v: Double?) -> String { v.map { String(format: format, $0) } ?? "-" }
        let columns = [
            Column(title: "configuration", width: max(31, rows.map(\.label.count).max() ?? 0)) { $0.label },
            Column(title: "FPS p50", width: 8) { f("%.2f", $0.medianFps) },
            Column(title: "ratio", width: 6) { f("%.2fx", $0.medianFps / baseline.medianFps) },
            Column(title: "FPS min..max", width: 13) { f("%.2f", $0.fpsByRep.min()) + ".." + f("%.2f", $0.fpsByRep.max()) },
            Column(title: "run ratio", width: 9) { f("%.2fx", $0.medianWholeRunFps / baseline.medianWholeRunFps) },
            Column(title: "denoiser ms/block", width: 17) { f("%.0f", $0.denoiserBlockP50Ms) },
            Column(title: "accepted", width: 14) { r in
                guard let a = r.acceptance, a.total > 0 else { return "-" }
                return String(format: "%.0f%% (%d/%d)", 100 * Double(a.kept) / Double(a.total), a.kept, a.total)
            },
            Column(title: "draft reward", width: 12) { f("%.3f", $0.meanDraftReward) },
            Column(title: "kept/gen ms", width: 11) { r in
                r.acceptance == nil ? "-" : f("%.0f", r.keptMs) + "/" + f("%.0f", r.generatedMs)
            },
            Column(title: "cand/block", width: 10) { f("%.1f", $0.candidatesPerBlock) },
        ]
        let header = columns.map { pad($0.title, $0.width) }.joined(separator: " ")
        let body = rows.map { r in columns.map { pad($0.value(r), $0.width) }.joined(separator: " ") }
        return ([header, String(repeating: "-", count: header.count)] + body).joined(separator: "\n")
    }

    private static func pad(_ s: String, _ width: Int) -> String {
        s.count >= width ? s : s + String(repeating: " ", count: width - s.count)
    }
}

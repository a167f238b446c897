import Foundation
import Synchronization

/// The log lines of one run and what the benchmark reads from them. Nodes log from their own queues,
/// so the lines are collected under a lock.
final class RunLog: Sendable {
    private let lines = Mutex<[String]>([])

    func append(_ line: String) { lines.withLock { $0.append(line) } }
    var all: [String] { lines.withLock { $0 } }

    /// From spec/target's finish line: "speculative target: K of T block(s) kept from the drafter (..%),
    /// a kept block A ms, a generated one G ms". Counts, not the rounded percentage, so runs add up.
    struct Speculation {
        var kept = 0, total = 0
        var keptMs: [Double] = [], generatedMs: [Double] = []
        /// spec/gate's mean minimum window reward of the drafts: what tau is compared with.
        var meanDraftReward: Double?
    }

    var speculation: Speculation? {
        guard let line = all.first(where: { $0.hasPrefix("[spec/target]") && $0.contains("speculative target:") }) else { return nil }
        let numbers = Self.numbers(in: line)
        // kept, total, percentage, then the two times ("-" when none, so they may be missing).
        guard numbers.count >= 3 else { return nil }
        var s = Speculation(kept: Int(numbers[0]), total: Int(numbers[1]))
        s.keptMs = Self.milliseconds(after: "a kept block ", in: line)
        s.generatedMs = Self.milliseconds(after: "a generated one ", in: line)
        if let gate = all.first(where: { $0.hasPrefix("[spec/gate]") }), let r = gate.range(of: "mean minimum window reward ") {
            s.meanDraftReward = Self.numbers(in: String(gate[r.upperBound...])).first
        }
        return s
    }

    /// "X ms" right after `label`, up to the next comma; none when the node wrote "-" (no such block).
    private static func milliseconds(after label: String, in line: String) -> [Double] {
        guard let r = line.range(of: label) else { return [] }
        let field = line[r.upperBound...].prefix { $0 != "," }
        return field.hasPrefix("-") ? [] : Array(numbers(in: String(field)).prefix(1))
    }

    /// From search/select's finish line: "search: B blocks, C candidates a block, ...".
    var candidatesPerBlock: Double? {
        guard let line = all.first(where: { $0.hasPrefix("[search/select]") && $0.contains("candidates a block") }),
              let r = line.range(of: "blocks, ") else { return nil }
        return Self.numbers(in: String(line[r.upperBound...])).first
    }

    /// The generating denoiser's "per block p50 X ms" (gen/denoise, spec/target or search/denoise):
    /// its own compute per block, apart from the rest of the pipeline.
    var denoiserBlockP50Ms: Double? {
        let ids = ["[gen/denoise]", "[spec/target]", "[search/denoise]"]
        guard let line = all.first(where: { l in ids.contains { l.hasPrefix($0) } && l.contains("per block p50") }),
              let r = line.range(of: "per block p50 ") else { return nil }
        return Self.numbers(in: String(line[r.upperBound...])).first
    }

    var errors: [String] { all.filter { $0.contains("error") } }

    /// The decimal numbers in `text`, in order (after the node id, which may hold digits).
    static func numbers(in text: String) -> [Double] {
        let body = text.hasPrefix("[") ? String(text.drop { $0 != "]" }) : text
        var result: [Double] = [], current = ""
        for ch in body + " " {
            if ch.isNumber || (ch == "." && !current.isEmpty) { current.append(ch); continue }
            if let v = Double(current.hasSuffix(".") ? String(current.dropLast()) : current) { result.append(v) }
            current = ""
        }
        return result
    }
}

import Foundation

/// The command line: `SearchBench [--frames N] [--prompts N] [--reps N] [--taus 0,0.05,0.2] [--precisions f32,bf16]
/// [--no-search] [--sequential] [--model DIR] [--draft-steps 1000,500] [--draft-guidance 1] [--quick]`.
struct BenchOptions {
    /// Prompts from world-tiny's training vocabulary (Training/world.py VOCAB), so the drafter and the
    /// reward model see what they were trained on and acceptance rates mean something.
    static let fixedPrompts = [
        "a large red circle moves right on a dark blue background",
        "a small green square bounces on a black background",
        "a large yellow triangle moves up on a gray background",
    ]

    var frames = 156                 // 13 blocks of 12 frames: no partial last block
    var prompts = BenchOptions.fixedPrompts
    var reps = 3
    var taus: [Double] = [0.05, 0.2]  // tau 0 (the ceiling) always runs; these are added to it
    var precisions = ["f32", "bf16"]
    /// Whether the best-of-N rows run (`--no-search` leaves them out).
    var search = true
    /// Every graph on the sequential scheduler (one node at a time, depth first): no overlap, so each node's busy
    /// time is its own compute undisturbed by the others, the per-block arithmetic of a configuration.
    var sequential = false
    var model = "Models/world-tiny"
    var quick = false
    /// A cheaper draft measured beside the shipped one (`--draft-steps`, `--draft-guidance`): its speculative rows
    /// are added at each precision; nil leaves them out.
    var fastDraft: Configuration.Draft?

    init(arguments: [String]) {
        func value(_ name: String) -> String? {
            guard let i = arguments.firstIndex(of: name), i + 1 < arguments.count else { return nil }
            return arguments[i + 1]
        }
        quick = arguments.contains("--quick")
        if quick { frames = 48; prompts = [Self.fixedPrompts[0]]; reps = 1 }
        if let f = value("--frames").flatMap(Int.init) { frames = max(12, f) }
        if let n = value("--prompts").flatMap(Int.init) {
            prompts = Array(Self.fixedPrompts.prefix(max(1, min(n, Self.fixedPrompts.count))))
        }
        if let r = value("--reps").flatMap(Int.init) { reps = max(1, r) }
        if let t = value("--taus") {
            // 0 always runs as the ceiling; a repeated 0 in the list is dropped rather than run twice.
            taus = t.split(separator: ",").compactMap { Double($0.trimmingCharacters(in: .whitespaces)) }
                .filter { $0 > 0 && $0 <= 1 }
        }
        if let p = value("--precisions") {
            precisions = p.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { ["f32", "bf16"].contains($0) }
            if precisions.isEmpty { precisions = ["f32"] }
        }
        search = !arguments.contains("--no-search")
        sequential = arguments.contains("--sequential")
        if let m = value("--model") { model = m }
        if let steps = value("--draft-steps") {
            let list = steps.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
            if !list.isEmpty { fastDraft = Configuration.Draft(steps: list, guidance: value("--draft-guidance").flatMap(Double.init) ?? 0) }
        }
    }
}

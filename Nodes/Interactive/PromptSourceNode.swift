import FlowKit

/// `prompt.source`: the prompts of a session. The graph's timeline is emitted first (each prompt
/// says the frame it applies from and when the next one is due, so the denoiser applies it at
/// exactly that frame); then, when standard input is a terminal, each typed line is a prompt
/// switch that applies to the next block. Prompts posted to `PromptInbox.shared` (the live preview's
/// prompt box) are switches too, exactly like typed lines, while the inbox is open.
public final class PromptSourceNode: Node {
    public static let contract = NodeContract(
        type: "prompt.source",
        summary: "Prompts from a timeline (at frame N, text) and, on a terminal, each typed line as a switch",
        outputs: [PortSpec("prompt", Prompt.self, doc: "Prompt packets; position = start frame (timeline) or switch number (typed)")],
        params: [
            ParamSpec("text", .string, default: .string(""), doc: "a single prompt for the whole run (instead of timeline)"),
            ParamSpec("timeline", .list(.map), default: .list([]), doc: "[{ at: FRAME, text: PROMPT }, ...], first at frame 0, frames increasing"),
            ParamSpec("terminal", .choice(["auto", "on", "off"]), default: .string("auto"),
                      doc: "read typed prompts from stdin: auto = when stdin is a terminal; Ctrl-D ends the input"),
        ])

    public static func check(_ params: Params) -> [ParamProblem] { Timeline.parse(params).1 }

    private let timeline: Timeline
    private var readTerminal: Bool
    /// The preview's prompt box: read while it is open (it was open when this node was created).
    private var readInbox: Bool
    private var emittedTimeline = false
    var generation = 0
    /// Resumed from a snapshot: the generation the saved session had reached (typed prompts continue from it).
    var resumedGeneration = 0

    public init(context: NodeContext) throws {
        let (parsed, problems) = Timeline.parse(context.params)
        guard let parsed else { throw NodeError(problems.map { "\($0.param): \($0.message)" }.joined(separator: "; ")) }
        timeline = parsed
        switch context.params.string("terminal") {
        case "on": readTerminal = true
        case "off": readTerminal = false
        default: readTerminal = TerminalLines.stdinIsTerminal
        }
        readInbox = PromptInbox.shared.isOpen
    }

    public func produce(_ io: NodeIO) throws -> Production {
        if !emittedTimeline {
            emittedTimeline = true
            for (i, entry) in timeline.entries.enumerated() {
                let next = i + 1 < timeline.entries.count ? timeline.entries[i + 1].frame : nil
                let prompt = Prompt(text: entry.text, startFrame: entry.frame, generation: generation, mode: .timeline,
                                    nextStartFrame: next)
                try io.emit("prompt", Packet(position: entry.frame, payload: prompt))
                generation += 1
            }
            // The timeline keeps the generations it had in the saved session; typed prompts continue after its last.
            generation = max(generation, resumedGeneration)
            if readTerminal { io.log("type a prompt and press Enter to switch; Ctrl-D ends the input") }
            return readTerminal || readInbox ? .more : .done
        }
        if io.isStopping { return .done }
        // With both, the terminal is polled briefly so that neither waits long on the other.
        if readTerminal {
            switch TerminalLines.next(timeoutMs: readInbox ? 20 : 200) {
            case .endOfInput: readTerminal = false
            case .nothingYet: break
            case .line(let raw): try emitLive(raw, io)
            }
        }
        if readInbox {
            switch PromptInbox.shared.next(timeout: readTerminal ? 0.03 : 0.2) {
            case .closed: readInbox = false
            case .nothingYet: break
            case .line(let raw): try emitLive(raw, io)
            }
        }
        return readTerminal || readInbox ? .more : .done
    }

    /// A typed (or posted) line: a live switch for the next block.
    private func emitLive(_ raw: String, _ io: NodeIO) throws {
        let text = raw.trimmingCharacters(in: .whitespaces)
        guard !text.isEmpty else { return }
        try io.emit("prompt", Packet(position: generation,
                                     payload: Prompt(text: text, startFrame: 0, generation: generation, mode: .live)))
        generation += 1
    }
}

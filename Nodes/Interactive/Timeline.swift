import Foundation
import FlowKit

/// The prompts of a graph's `timeline:` (or its single `text:`), checked and ordered.
struct Timeline: Sendable {
    struct Entry: Sendable, Equatable {
        var frame: Int
        var text: String
    }

    let entries: [Entry]

    /// Parses and validates; every problem is reported at the param it concerns.
    static func parse(_ params: Params) -> (Timeline?, [ParamProblem]) {
        var problems: [ParamProblem] = []
        var entries: [Entry] = []
        let single = params.optionalString("text") ?? ""
        for (i, item) in (params["timeline"]?.listValue ?? []).enumerated() {
            guard let map = item.mapValue else {
                problems.append(ParamProblem(param: "timeline", "entry \(i) must be { at: FRAME, text: PROMPT }"))
                continue
            }
            for key in map.keys where key != "at" && key != "text" {
                problems.append(ParamProblem(param: "timeline", "entry \(i) has unknown key '\(key)' (expected at, text)"))
            }
            guard let at = map["at"]?.intValue, at >= 0 else {
                problems.append(ParamProblem(param: "timeline", "entry \(i): 'at' must be a frame number >= 0"))
                continue
            }
            guard let text = map["text"]?.description, !text.trimmingCharacters(in: .whitespaces).isEmpty else {
                problems.append(ParamProblem(param: "timeline", "entry \(i): 'text' must be a non-empty prompt"))
                continue
            }
            if let last = entries.last, at <= last.frame {
                problems.append(ParamProblem(param: "timeline", "entry \(i) at frame \(at) does not come after frame \(last.frame)"))
            }
            entries.append(Entry(frame: at, text: text))
        }
        if !single.isEmpty {
            if !entries.isEmpty { problems.append(ParamProblem(param: "text", "give either text or timeline, not both")) }
            entries = [Entry(frame: 0, text: single)]
        }
        if entries.isEmpty && problems.isEmpty {
            problems.append(ParamProblem(param: "timeline", "no prompt: give text: or a timeline: starting at frame 0"))
        } else if let first = entries.first, first.frame != 0 {
            problems.append(ParamProblem(param: "timeline", "the first prompt must start at frame 0, not \(first.frame)"))
        }
        return (problems.isEmpty ? Timeline(entries: entries) : nil, problems)
    }
}

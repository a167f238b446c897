import Foundation

/// The parts of a flowrun Chrome trace (`--trace FILE`, TraceWriter.swift) the report draws: one
/// track per node with its spans, and the run's instant events (prompt switches).
public struct TraceFile: Sendable {
    public struct Span: Sendable, Equatable {
        public var name: String
        /// Microseconds from the run's start.
        public var start: Double
        public var duration: Double
        public var end: Double { start + duration }
        /// A span of waiting on a full output queue (TraceWriter names them "blocked on PORT@NODE").
        public var isBlocked: Bool { name.hasPrefix("blocked on ") }
    }

    public struct Track: Sendable {
        public var name: String
        public var spans: [Span]
    }

    public struct Mark: Sendable, Equatable {
        public var name: String
        public var time: Double
    }

    public var title: String
    public var tracks: [Track]
    public var marks: [Mark]

    public struct Invalid: Error, CustomStringConvertible {
        public var description: String
    }

    public init(json: Data) throws {
        guard let root = try? JSONSerialization.jsonObject(with: json) else { throw Invalid(description: "not JSON") }
        let events: [[String: Any]]
        if let dict = root as? [String: Any], let e = dict["traceEvents"] as? [[String: Any]] { events = e }
        else if let e = root as? [[String: Any]] { events = e }
        else { throw Invalid(description: "no traceEvents array (is this a Chrome trace?)") }
        var title = "flowrun"
        var names: [Int: String] = [:]
        var order: [Int: Int] = [:]
        var spans: [Int: [Span]] = [:]
        var marks: [Mark] = []
        for e in events {
            let tid = (e["tid"] as? NSNumber)?.intValue ?? 0
            let name = e["name"] as? String ?? ""
            let args = e["args"] as? [String: Any]
            switch e["ph"] as? String {
            case "M":
                if name == "process_name", let n = args?["name"] as? String { title = n }
                if name == "thread_name", let n = args?["name"] as? String { names[tid] = n }
                if name == "thread_sort_index", let i = (args?["sort_index"] as? NSNumber)?.intValue { order[tid] = i }
            case "X":
                guard let ts = (e["ts"] as? NSNumber)?.doubleValue, let dur = (e["dur"] as? NSNumber)?.doubleValue else { continue }
                spans[tid, default: []].append(Span(name: name, start: ts, duration: max(0, dur)))
            case "i", "I":
                if let ts = (e["ts"] as? NSNumber)?.doubleValue { marks.append(Mark(name: name, time: ts)) }
            default:
                continue
            }
        }
        let tids = Set(names.keys).union(spans.keys).sorted { (order[$0] ?? $0, $0) < (order[$1] ?? $1, $1) }
        self.title = title
        tracks = tids.map { Track(name: names[$0] ?? "thread \($0)", spans: (spans[$0] ?? []).sorted { $0.start < $1.start }) }
        self.marks = marks.sorted { $0.time < $1.time }
    }
}

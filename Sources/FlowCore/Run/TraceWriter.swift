import Foundation

/// One span of a node's work, for the Chrome trace.
struct TraceSpan {
    var name: String
    var start: UInt64
    var duration: UInt64
}

/// One instant event of the trace: a moment of the whole run, not of one node.
struct TraceMark {
    var name: String
    var time: UInt64
}

/// Writes Chrome trace-event JSON (Perfetto and chrome://tracing open it): one track per node.
enum TraceWriter {
    static func write(to path: String, graphName: String, origin: UInt64, tracks: [(name: String, spans: [TraceSpan])],
                      marks: [TraceMark] = []) throws {
        var events: [[String: Any]] = [["name": "process_name", "ph": "M", "pid": 1, "args": ["name": "flowrun \(graphName)"]]]
        for (tid, track) in tracks.enumerated() {
            events.append(["name": "thread_name", "ph": "M", "pid": 1, "tid": tid, "args": ["name": track.name]])
            events.append(["name": "thread_sort_index", "ph": "M", "pid": 1, "tid": tid, "args": ["sort_index": tid]])
            for s in track.spans {
                events.append([
                    "name": s.name, "ph": "X", "pid": 1, "tid": tid,
                    "ts": Double(s.start &- origin) / 1000, "dur": Double(s.duration) / 1000,
                ])
            }
        }
        // Global-scope instant events ("s": "g"): Perfetto draws them across every track.
        for m in marks {
            events.append(["name": m.name, "ph": "i", "s": "g", "pid": 1, "tid": 0, "ts": Double(m.time &- origin) / 1000])
        }
        let data = try JSONSerialization.data(withJSONObject: ["traceEvents": events, "displayTimeUnit": "ms"], options: [])
        try data.write(to: URL(fileURLWithPath: path))
    }
}

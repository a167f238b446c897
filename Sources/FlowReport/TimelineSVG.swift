import Foundation

/// `flowrun report`: a run's timeline as one SVG picture. One lane per node; in each, the share of
/// every moment the node spent busy (blue, from the bottom) and blocked on a full output (orange,
/// above it); the rest of its life it waited for input (grey). Red lines mark prompt switches where
/// they reached the output. Overlapping stages show as blue in several lanes at the same time.
public enum TimelineSVG {
    public static func render(_ trace: TraceFile, width: Int = 1200) -> String {
        let labelWidth = 200.0, statsWidth = 250.0, laneHeight = 26.0, gap = 6.0
        let top = 64.0 + (trace.marks.isEmpty ? 0 : 16)
        let plot = max(200, Double(width) - labelWidth - statsWidth - 20)
        let columns = Int(plot)
        let total = max(trace.tracks.flatMap(\.spans).map(\.end).max() ?? 0, trace.marks.map(\.time).max() ?? 0, 1)
        let lanes = trace.tracks.map { LaneColumns(spans: $0.spans, columns: columns, total: total) }
        let height = top + Double(lanes.count) * (laneHeight + gap) + 40
        let x = { (t: Double) in labelWidth + t / total * plot }
        var svg = SVGText(width: Double(width), height: height)

        svg.text(10, 22, "\(trace.title): timeline over \(Self.seconds(total))", size: 15, weight: "bold")
        legend(&svg, y: 44)
        for (i, (track, lane)) in zip(trace.tracks, lanes).enumerated() {
            let y = top + Double(i) * (laneHeight + gap)
            svg.text(labelWidth - 8, y + laneHeight * 0.68, track.name, anchor: "end")
            svg.rect(labelWidth, y, plot, laneHeight, fill: "#f4f4f4")
            if lane.lifetime > 0 { svg.rect(x(lane.first), y, lane.lifetime / total * plot, laneHeight, fill: Self.waiting) }
            // Runs of columns with the same (quantized) shares become one rectangle each.
            var c = 0
            while c < columns {
                let b = (lane.busy[c] * 16).rounded() / 16, o = (lane.blocked[c] * 16).rounded() / 16
                var end = c + 1
                while end < columns, (lane.busy[end] * 16).rounded() / 16 == b, (lane.blocked[end] * 16).rounded() / 16 == o { end += 1 }
                let x0 = labelWidth + Double(c), w = Double(end - c)
                if b > 0 { svg.rect(x0, y + laneHeight * (1 - b), w, laneHeight * b, fill: Self.busy) }
                if o > 0 { svg.rect(x0, y + laneHeight * (1 - b - o), w, laneHeight * o, fill: Self.blocked) }
                c = end
            }
            // Shares of the whole run, as `--stats` gives them.
            let stats = String(format: "busy %.0f%%  blocked %.0f%%  waiting %.0f%%", 100 * lane.busyTotal / total,
                               100 * lane.blockedTotal / total, 100 * lane.waitingTotal / total)
            svg.text(labelWidth + plot + 10, y + laneHeight * 0.68, stats, size: 11)
        }
        let bottom = top + Double(lanes.count) * (laneHeight + gap)
        axis(&svg, y: bottom, total: total, plot: plot, left: labelWidth)
        for (i, m) in trace.marks.enumerated() {
            let mx = x(m.time)
            svg.line(mx, top - 14, mx, bottom - gap, stroke: Self.mark, dash: true)
            let label = m.name.count > 60 ? String(m.name.prefix(57)) + "…" : m.name
            let right = mx > labelWidth + plot / 2
            svg.text(right ? mx - 3 : mx + 3, top - 16 - Double(i % 2) * 12, label, size: 10, anchor: right ? "end" : "start", fill: Self.mark)
        }
        return svg.finish()
    }

    static let busy = "#3b7dd8", blocked = "#f0a030", waiting = "#d8d8d8", mark = "#d03030"

    private static func legend(_ svg: inout SVGText, y: Double) {
        var x = 10.0
        for (label, colour) in [("busy", busy), ("blocked on output", blocked), ("waiting for input", waiting), ("prompt switch", mark)] {
            svg.rect(x, y - 10, 12, 12, fill: colour)
            svg.text(x + 16, y, label, size: 12)
            x += 30 + Double(label.count) * 7
        }
    }

    /// Ticks at 1, 2 or 5 times a power of ten, about ten of them.
    private static func axis(_ svg: inout SVGText, y: Double, total: Double, plot: Double, left: Double) {
        let raw = total / 10
        let power = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 5, 10].map { $0 * power }.first { $0 >= raw } ?? raw
        svg.line(left, y, left + plot, y, stroke: "#555")
        var t = 0.0
        while t <= total + step * 1e-9 {
            let tx = left + t / total * plot
            svg.line(tx, y, tx, y + 5, stroke: "#555")
            svg.text(tx, y + 18, seconds(t), size: 11, anchor: "middle")
            t += step
        }
    }

    static func seconds(_ micros: Double) -> String {
        let s = micros / 1e6
        if s >= 100 { return String(format: "%.0f s", s) }
        if s >= 1 { return String(format: "%.1f s", s) }
        return String(format: "%.0f ms", s * 1000)
    }
}

/// A minimal SVG writer: rectangles, lines and escaped text.
struct SVGText {
    private var body = ""
    let width: Double
    let height: Double

    init(width: Double, height: Double) {
        self.width = width
        self.height = height
    }

    mutating func rect(_ x: Double, _ y: Double, _ w: Double, _ h: Double, fill: String) {
        body += "<rect x=\"\(f(x))\" y=\"\(f(y))\" width=\"\(f(w))\" height=\"\(f(h))\" fill=\"\(fill)\"/>\n"
    }

    mutating func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, stroke: String, dash: Bool = false) {
        body += "<line x1=\"\(f(x1))\" y1=\"\(f(y1))\" x2=\"\(f(x2))\" y2=\"\(f(y2))\" stroke=\"\(stroke)\"\(dash ? " stroke-dasharray=\"4 3\"" : "")/>\n"
    }

    mutating func text(_ x: Double, _ y: Double, _ s: String, size: Double = 12, anchor: String = "start",
                       weight: String = "normal", fill: String = "#222") {
        body += "<text x=\"\(f(x))\" y=\"\(f(y))\" font-size=\"\(f(size))\" text-anchor=\"\(anchor)\" font-weight=\"\(weight)\" fill=\"\(fill)\">\(escape(s))</text>\n"
    }

    func finish() -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(f(width))\" height=\"\(f(height))\" viewBox=\"0 0 \(f(width)) \(f(height))\" font-family=\"sans-serif\">\n"
            + "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n" + body + "</svg>\n"
    }

    private func f(_ v: Double) -> String { String(format: "%.1f", v) }

    private func escape(_ s: String) -> String {
        var out = ""
        for ch in s.unicodeScalars {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default:
                // XML 1.0 forbids most control characters even escaped.
                if ch.value < 0x20 && ch != "\t" { out += " " } else { out.unicodeScalars.append(ch) }
            }
        }
        return out
    }
}

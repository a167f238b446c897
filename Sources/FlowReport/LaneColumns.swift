/// One lane's time cut into equal columns: how much of each column the node spent busy and blocked
/// on its output. Columns keep the picture the same size whatever the run's length (a span shorter
/// than a column still counts), and make "busy" exact: a blocked span nests inside the call that
/// emitted, so it is taken out of that call's busy time.
struct LaneColumns {
    var busy: [Double]
    var blocked: [Double]
    /// Microseconds from the first span's start to the last span's end (the node's life as traced).
    var first: Double
    var last: Double
    var busyTotal: Double
    var blockedTotal: Double

    init(spans: [TraceFile.Span], columns: Int, total: Double) {
        let width = total / Double(max(columns, 1))
        var busy = [Double](repeating: 0, count: columns)
        var blocked = [Double](repeating: 0, count: columns)
        func add(_ s: TraceFile.Span, _ into: inout [Double], sign: Double) {
            guard width > 0, s.duration > 0 else { return }
            var c = max(0, min(columns - 1, Int(s.start / width)))
            while c < columns {
                let lo = Double(c) * width, hi = lo + width
                let overlap = min(hi, s.end) - max(lo, s.start)
                if overlap > 0 { into[c] += sign * overlap }
                if hi >= s.end { break }
                c += 1
            }
        }
        var busyTotal = 0.0, blockedTotal = 0.0
        for s in spans {
            if s.isBlocked {
                add(s, &blocked, sign: 1)
                add(s, &busy, sign: -1)
                blockedTotal += s.duration
                busyTotal -= s.duration
            } else {
                add(s, &busy, sign: 1)
                busyTotal += s.duration
            }
        }
        self.busy = busy.map { width > 0 ? min(1, max(0, $0 / width)) : 0 }
        self.blocked = blocked.map { width > 0 ? min(1, max(0, $0 / width)) : 0 }
        first = spans.map(\.start).min() ?? 0
        last = spans.map(\.end).max() ?? 0
        self.busyTotal = max(0, busyTotal)
        self.blockedTotal = blockedTotal
    }

    var lifetime: Double { max(0, last - first) }
    var waitingTotal: Double { max(0, lifetime - busyTotal - blockedTotal) }
}

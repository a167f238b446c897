/// How many of the expected attributes were checked and how many were observed, per kind: one window's
/// verdict, or a run's sum for the log.
struct AttributeTally: Sendable, Equatable {
    enum Kind: String, CaseIterable, Sendable {
        /// The window's majority background is the prompt's.
        case background
        /// The object's colour is seen in at least half the window's frames (an object whose colour the prompt
        /// does not name: some object of a colour no other expected object names).
        case colour
        /// The object's majority shape over the window is the prompt's.
        case shape
        /// The object's median radius over the window is on the prompt's side of 7 px (small 5, large 9).
        case size
        /// The object's centroid / area track over the batch classifies as the prompt's motion.
        case motion
    }

    private(set) var checked: [Kind: Int] = [:]
    private(set) var passed: [Kind: Int] = [:]

    mutating func record(_ kind: Kind, _ ok: Bool) {
        checked[kind, default: 0] += 1
        if ok { passed[kind, default: 0] += 1 }
    }

    static func += (lhs: inout AttributeTally, rhs: AttributeTally) {
        for (k, n) in rhs.checked { lhs.checked[k, default: 0] += n }
        for (k, n) in rhs.passed { lhs.passed[k, default: 0] += n }
    }

    var checkedCount: Int { checked.values.reduce(0, +) }
    var passedCount: Int { passed.values.reduce(0, +) }

    /// The fraction of checked attributes observed; nil when nothing was checked.
    var fraction: Double? { checkedCount == 0 ? nil : Double(passedCount) / Double(checkedCount) }

    /// "background 6/6, colour 12/12, shape 11/12, ..." for the kinds checked.
    var summary: String {
        Kind.allCases.compactMap { k in checked[k].map { "\(k.rawValue) \(passed[k, default: 0])/\($0)" } }
            .joined(separator: ", ")
    }
}

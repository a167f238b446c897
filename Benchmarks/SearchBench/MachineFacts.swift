import FlowKit

/// What a reader needs to compare numbers across machines (FlowTensor's MachineSummary).
enum MachineFacts {
    static var summary: String { MachineSummary.text }
    static var loadAverage: String { MachineSummary.loadAverage }
}

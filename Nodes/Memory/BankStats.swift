/// What the memory bank reports.
public struct BankStats: Sendable, Equatable {
    /// Evicted frames added over the run.
    public var added = 0
    /// Frames held now.
    public var framesHeld = 0
    /// Bytes held now: stored K/V, their scales, and the descriptors.
    public var bytes = 0
    /// Most bytes held after any add.
    public var peakBytes = 0
    /// Entries removed to stay under the byte budget.
    public var dropped = 0
    /// Queries answered, and frames they returned in all.
    public var queries = 0
    public var retrievals = 0

    public init() {}
}

/// Which banked frame leaves first when the memory bank is over its byte budget.
public enum BankEvictionPolicy: String, Sendable, CaseIterable {
    /// The lowest eviction sequence: the frame that left the cache longest ago.
    case oldest
    /// The frame retrieved least often, ties to the oldest. Only frames that have been candidates of a query
    /// compete: the newest evictions are never candidates while the query excludes them, so they would
    /// always have the lowest count, and a full bank would drop every new frame as it arrived.
    case leastRetrieved = "least-retrieved"
}

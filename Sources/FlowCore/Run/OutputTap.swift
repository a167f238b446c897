import FlowKit

/// What a tap on an output port sees: each packet the node emits there, then the node's end.
public enum TapEvent: Sendable {
    case packet(Packet)
    case end
}

/// A read-only look at one output port for tools outside the graph (the live preview, trace marks).
/// The handler runs on the producer's thread inside `emit`, so it must return at once: keep what it
/// needs and hand off. A tap is not an edge: it never blocks, and the graph's stats do not count it.
public typealias TapHandler = @Sendable (TapEvent) -> Void

extension GraphRun {
    /// Adds a tap on `node`'s output `port`; call before `run()`. Returns false when no such port exists.
    @discardableResult
    public func tap(node: String, port: String, _ handler: @escaping TapHandler) -> Bool {
        guard let runner = runners.first(where: { $0.compiled.id == node }),
              runner.compiled.contract.output(port) != nil else { return false }
        runner.taps[port, default: []].append(handler)
        return true
    }
}

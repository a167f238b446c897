/// The unit that travels on an edge: a stream position (block index, frame index: the node's
/// contract says which), a payload and free-form metadata.
public struct Packet: Sendable {
    public var position: Int
    public var payload: any Sendable
    public var meta: [String: String]

    public init(position: Int, payload: any Sendable, meta: [String: String] = [:]) {
        self.position = position
        self.payload = payload
        self.meta = meta
    }

    /// The payload as the type a node expects, or an error naming both types.
    public func value<T>(as type: T.Type = T.self) throws -> T {
        guard let v = payload as? T else {
            throw NodeError("packet at position \(position) carries \(Swift.type(of: payload)), expected \(T.self)")
        }
        return v
    }
}

/// The packet the compiler puts on every declared feedback edge before the run starts, so a loop
/// has something to begin with (MediaPipe calls this the back edge's initial packet).
public struct LoopSeed: Sendable {
    public init() {}
}

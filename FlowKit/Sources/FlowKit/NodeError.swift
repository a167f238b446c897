/// An error a node throws; the runtime adds the node id and its line in the graph file.
public struct NodeError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

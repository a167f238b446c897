import Foundation

/// Where node types come from, so errors and `flowrun nodes` can say so.
public struct NodeRegistration: @unchecked Sendable {
    public let nodeType: any Node.Type
    /// "built-in", or the plugin's path.
    public let origin: String
    public var contract: NodeContract { nodeType.contract }
}

public struct DuplicateNodeType: Error, CustomStringConvertible {
    public let type: String
    public let existingOrigin: String
    public let newOrigin: String
    public var description: String {
        "node type '\(type)' from \(newOrigin) is already registered by \(existingOrigin)"
    }
}

/// The process-wide catalog of node types. It lives in the shared libFlowKit.so, so the host
/// and every plugin see the same one.
public final class NodeRegistry: @unchecked Sendable {
    public static let shared = NodeRegistry()

    private let lock = NSLock()
    private var entries: [String: NodeRegistration] = [:]

    public init() {}

    public func register(_ nodeType: any Node.Type, origin: String = "built-in") throws {
        let name = nodeType.contract.type
        try lock.withLock {
            if let existing = entries[name] {
                // The same type registered again (an embedded test graph first, the built-ins later) is
                // harmless; another type under the name is not.
                if ObjectIdentifier(existing.nodeType) == ObjectIdentifier(nodeType) { return }
                throw DuplicateNodeType(type: name, existingOrigin: existing.origin, newOrigin: origin)
            }
            entries[name] = NodeRegistration(nodeType: nodeType, origin: origin)
        }
    }

    public func lookup(_ type: String) -> NodeRegistration? {
        lock.withLock { entries[type] }
    }

    public var all: [NodeRegistration] {
        lock.withLock { entries.values.sorted { $0.contract.type < $1.contract.type } }
    }

    public var typeNames: [String] { all.map(\.contract.type) }
}

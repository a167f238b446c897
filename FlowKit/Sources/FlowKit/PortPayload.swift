/// A Swift type that travels on ports. It names its port type, so a contract declares a port with the
/// payload type itself (`.input("cache", KVContext.self)`) and the link between the graph's port type
/// and the Swift value a node casts to is checked, not a doc comment (MediaPipe api2's typed ports).
public protocol PortPayload: Sendable {
    /// The kind, element type and symbolic shape this payload has on an edge, e.g. `latent[f32; F, C, H, W]`.
    static var portType: PortType { get }
}

/// The Swift payload type a port carries, kept as a name and a test so a contract stays a plain value.
public struct PayloadType: Sendable, CustomStringConvertible {
    /// The Swift type's name, for messages and `flowrun nodes`.
    public let name: String
    /// The port type the payload declares.
    public let portType: PortType
    private let matches: @Sendable (Any) -> Bool

    public init<P: PortPayload>(_ payload: P.Type) {
        name = String(describing: P.self)
        portType = P.portType
        matches = { $0 is P }
    }

    /// True when a packet's payload is this type.
    public func accepts(_ value: Any) -> Bool { matches(value) }

    public var description: String { name }
}

/// The payloads of the utility ports: counters and scalar results.
extension Int: PortPayload {
    public static var portType: PortType { "int" }
}

extension Float: PortPayload {
    public static var portType: PortType { "float" }
}

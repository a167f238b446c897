import Foundation

/// One dimension of a port's shape: a number, a symbol unified across edges, or a wildcard.
public enum Dim: Sendable, Hashable, CustomStringConvertible {
    case fixed(Int)
    case symbol(String)
    case any

    public var description: String {
        switch self {
        case .fixed(let n): return String(n)
        case .symbol(let s): return s
        case .any: return "*"
        }
    }
}

/// What travels on a port: a kind name (`prompt`, `latent`, `frames`) and, for tensors, an element
/// type and a symbolic shape, written `latent[f32; F, C, H, W]`.
public struct PortType: Sendable, Hashable, CustomStringConvertible {
    public var kind: String
    public var element: ElementType?
    public var shape: [Dim]?

    public init(_ kind: String, element: ElementType? = nil, shape: [Dim]? = nil) {
        self.kind = kind
        self.element = element
        self.shape = shape
    }

    /// Accepts anything; for generic sinks and pass-through nodes.
    public static let any = PortType("any")

    /// Parses `kind` or `kind[dtype; d0, d1, ...]`; a dim is an integer, an identifier or `*`.
    public init(parsing text: String) throws {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard let open = trimmed.firstIndex(of: "[") else {
            guard PortType.isIdentifier(trimmed) else { throw PortTypeSyntaxError(text: text, reason: "expected a type name") }
            self.init(trimmed)
            return
        }
        guard trimmed.hasSuffix("]") else { throw PortTypeSyntaxError(text: text, reason: "missing closing ]") }
        let kind = String(trimmed[..<open]).trimmingCharacters(in: .whitespaces)
        guard PortType.isIdentifier(kind) else { throw PortTypeSyntaxError(text: text, reason: "expected a type name before [") }
        let inner = trimmed[trimmed.index(after: open)..<trimmed.index(before: trimmed.endIndex)]
        let parts = inner.split(separator: ";", omittingEmptySubsequences: false)
        guard parts.count == 2 else { throw PortTypeSyntaxError(text: text, reason: "expected [dtype; dims]") }
        let dtypeName = parts[0].trimmingCharacters(in: .whitespaces)
        guard let element = ElementType(rawValue: dtypeName) else {
            throw PortTypeSyntaxError(text: text, reason: "unknown element type '\(dtypeName)'")
        }
        var dims: [Dim] = []
        for raw in parts[1].split(separator: ",") {
            let d = raw.trimmingCharacters(in: .whitespaces)
            if d == "*" { dims.append(.any) }
            else if let n = Int(d), n >= 0 { dims.append(.fixed(n)) }
            else if PortType.isIdentifier(d) { dims.append(.symbol(d)) }
            else { throw PortTypeSyntaxError(text: text, reason: "bad dimension '\(d)'") }
        }
        self.init(kind, element: element, shape: dims)
    }

    public var description: String {
        guard let element else { return kind }
        let dims = (shape ?? []).map(\.description).joined(separator: ", ")
        return "\(kind)[\(element.rawValue); \(dims)]"
    }

    static func isIdentifier(_ s: String) -> Bool {
        guard let first = s.unicodeScalars.first, first == "_" || first.properties.isAlphabetic else { return false }
        return s.unicodeScalars.allSatisfy { $0 == "_" || $0 == "." || $0.properties.isAlphabetic || ("0"..."9").contains($0) }
    }
}

public struct PortTypeSyntaxError: Error, CustomStringConvertible {
    public let text: String
    public let reason: String
    public var description: String { "bad port type '\(text)': \(reason)" }
}

extension PortType: ExpressibleByStringLiteral {
    /// Contracts are written in code; a malformed literal is a programming error caught by the catalog test.
    public init(stringLiteral value: String) {
        do { try self.init(parsing: value) } catch { fatalError("\(error)") }
    }
}

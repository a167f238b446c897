import Foundation

/// Where `--serve` listens: `HOST:PORT`, `:PORT`, `PORT` or nothing (127.0.0.1 and a free port).
/// Loopback unless the user names another address; the caller refuses one without `--allow-remote`.
public struct ServeAddress: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    /// 0: any free port (the bound one is printed).
    public var port: Int

    public init(host: String = "127.0.0.1", port: Int = 0) {
        self.host = host
        self.port = port
    }

    public struct Invalid: Error, CustomStringConvertible {
        public var description: String
    }

    public static func parse(_ text: String?) throws -> ServeAddress {
        let text = (text ?? "").trimmingCharacters(in: .whitespaces)
        if text.isEmpty { return ServeAddress() }
        var host = "127.0.0.1"
        var portText = text
        if text.hasPrefix("[") {                       // [::1]:8080
            guard let close = text.firstIndex(of: "]") else { throw Invalid(description: "bad address '\(text)': missing ']'") }
            host = String(text[text.index(after: text.startIndex)..<close])
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else { throw Invalid(description: "bad address '\(text)': expected [HOST]:PORT") }
            portText = String(rest.dropFirst())
        } else if let colon = text.lastIndex(of: ":") {
            let h = String(text[..<colon])
            if !h.isEmpty { host = h }
            portText = String(text[text.index(after: colon)...])
        }
        guard let port = Int(portText), (0...65535).contains(port) else {
            throw Invalid(description: "bad port in '\(text)': expected 0...65535 (0 picks a free port)")
        }
        return ServeAddress(host: host, port: port)
    }

    /// Whether only this machine can connect.
    public var isLoopback: Bool { Self.isLoopbackHost(host) }

    static func isLoopbackHost(_ host: String) -> Bool {
        let h = host.lowercased()
        return h == "localhost" || h == "::1" || h == "[::1]" || h.hasPrefix("127.")
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

/// Who may talk to the preview. A browser page from another site can open a WebSocket to loopback
/// (Origin says who it is) and a DNS-rebound name can point at loopback (Host says what it asked for),
/// so both headers are checked before anything is served.
struct RequestPolicy: Sendable {
    /// The server listens on loopback only: then Host must name loopback too (stops DNS rebinding).
    var loopbackOnly: Bool

    /// Host header check for every request. HTTP/1.1 requires Host; a request without one is refused.
    func allows(host: String?) -> Bool {
        guard let host, !host.isEmpty else { return false }
        guard loopbackOnly else { return true }
        return ServeAddress.isLoopbackHost(Self.hostName(host))
    }

    /// WebSocket upgrade check: a browser always sends Origin, and it must be this server's own page,
    /// `http://` + the Host the request was sent to. No Origin is a non-browser client (a script), which
    /// a hostile page cannot impersonate.
    func allowsWebSocket(host: String?, origin: String?) -> Bool {
        guard allows(host: host), let host else { return false }
        guard let origin else { return true }
        return origin.lowercased() == "http://" + host.lowercased()
    }

    /// "127.0.0.1:8080" -> "127.0.0.1", "[::1]:80" -> "::1", "localhost" -> "localhost".
    static func hostName(_ host: String) -> String {
        if host.hasPrefix("["), let close = host.firstIndex(of: "]") {
            return String(host[host.index(after: host.startIndex)..<close])
        }
        if let colon = host.lastIndex(of: ":"), host.firstIndex(of: ":") == colon { return String(host[..<colon]) }
        return host
    }
}

import Logging
import NIOCore
import NIOHTTP1

/// Sits before NIO's upgrade handler and decides which requests may become WebSockets: only `/ws`,
/// with an allowed Host and Origin, while there is room. Any other request loses its Upgrade header
/// and so goes on as plain HTTP, where `HTTPHandler` answers 403. (A refusal inside the upgrader
/// itself would close the connection without any answer.)
final class UpgradeGate: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart

    private let policy: RequestPolicy
    private let hub: ViewerHub

    init(policy: RequestPolicy, hub: ViewerHub) {
        self.policy = policy
        self.hub = hub
    }

    static let name = "flowrun.preview.gate"
    /// An allowed upgrade went through: from here on the bytes are WebSocket frames, not HTTP parts,
    /// and pass untouched until the upgrade removes this handler.
    private var upgrading = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !upgrading, case .head(var head) = unwrapInboundIn(data), head.headers.contains(name: "upgrade") else {
            return context.fireChannelRead(data)
        }
        let host = head.headers.first(name: "host"), origin = head.headers.first(name: "origin")
        if head.uri == "/ws" && policy.allowsWebSocket(host: host, origin: origin) && hub.hasRoom {
            upgrading = true
            return context.fireChannelRead(data)
        }
        hub.rejected.add(1, ordering: .relaxed)
        hub.logger.warning("preview: refused a WebSocket from \(context.remoteAddress?.description ?? "?") (path \(head.uri.prefix(80)), Origin \(origin ?? "none"), Host \(host ?? "none"), \(hub.count) viewers)")
        head.headers.remove(name: "upgrade")
        head.headers.replaceOrAdd(name: "connection", value: "close")
        context.fireChannelRead(wrapInboundOut(.head(head)))
    }
}

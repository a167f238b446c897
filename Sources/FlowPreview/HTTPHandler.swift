import Logging
import NIOCore
import NIOHTTP1

/// What the preview answers to a plain HTTP request.
struct HTTPReply: Sendable {
    var status: HTTPResponseStatus
    var contentType: String
    var body: [UInt8]

    init(_ status: HTTPResponseStatus = .ok, _ contentType: String = "text/plain; charset=utf-8", _ body: [UInt8]) {
        self.status = status
        self.contentType = contentType
        self.body = body
    }

    init(_ status: HTTPResponseStatus, text: String) { self.init(status, "text/plain; charset=utf-8", Array(text.utf8)) }
}

/// GET and HEAD for the page, its assets, /metrics and /status.json; everything else is an error
/// status. Runs before the WebSocket upgrade and is removed by it.
final class HTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    static let name = "flowrun.preview.http"

    private let policy: RequestPolicy
    private let logger: Logger
    private let route: @Sendable (String) -> HTTPReply
    private var head: HTTPRequestHead?

    init(policy: RequestPolicy, logger: Logger, route: @escaping @Sendable (String) -> HTTPReply) {
        self.policy = policy
        self.logger = logger
        self.route = route
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let h): head = h
        case .body: break // GET and HEAD only: a body is ignored (the parser bounds its size)
        case .end:
            guard let head else { return }
            self.head = nil
            respond(to: head, context)
        }
    }

    private func respond(to head: HTTPRequestHead, _ context: ChannelHandlerContext) {
        let reply: HTTPReply
        let path = String(head.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
        if !policy.allows(host: head.headers.first(name: "host")) {
            reply = HTTPReply(.forbidden, text: "forbidden: the preview answers only requests addressed to its loopback address\n")
        } else if head.method != .GET && head.method != .HEAD {
            reply = HTTPReply(.methodNotAllowed, text: "method not allowed\n")
        } else if path == "/ws" {
            // An upgrade the WebSocket upgrader refused (Origin not this page, or too many viewers).
            reply = HTTPReply(.forbidden, text: "WebSocket refused: Origin must be this page, and at most \(ViewerHub.maxViewers) viewers\n")
        } else {
            reply = route(path)
        }
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: reply.contentType)
        headers.add(name: "Content-Length", value: String(reply.body.count))
        headers.add(name: "Cache-Control", value: "no-store")
        headers.add(name: "X-Content-Type-Options", value: "nosniff")
        // Only this page's own scripts, and a WebSocket back to where the page came from.
        let host = head.headers.first(name: "host") ?? ""
        headers.add(name: "Content-Security-Policy", value: "default-src 'self'; connect-src 'self' ws://\(host); img-src 'self' data:")
        let keepAlive = head.isKeepAlive && reply.status == .ok
        headers.add(name: "Connection", value: keepAlive ? "keep-alive" : "close")
        let response = HTTPResponseHead(version: head.version, status: reply.status, headers: headers)
        context.write(wrapOutboundOut(.head(response)), promise: nil)
        if head.method != .HEAD {
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: reply.body)))), promise: nil)
        }
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive { done.assumeIsolated().whenComplete { _ in context.close(promise: nil) } }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        logger.warning("preview: HTTP error from \(context.remoteAddress?.description ?? "?"): \(error); closing")
        context.close(promise: nil)
    }
}

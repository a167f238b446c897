import Logging
import NIOCore
import NIOWebSocket

/// One viewer's WebSocket. Out: frames (binary) and status (text), newest only, one message in
/// flight at a time; replies to the viewer's own messages queue (a few). In: prompts, as JSON text.
/// Anything malformed is answered with an error message and logged; a viewer that keeps sending
/// garbage is closed with "policy violation".
final class ViewerHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    static let maxReplies = 8
    static let maxRejected = 20

    private let hub: ViewerHub
    private var context: ChannelHandlerContext?
    private var writing = false
    private var pendingFrame: ByteBuffer?
    private var pendingStatus: String?
    private var replies: [String] = []
    private var rejected = 0
    private var closing = false
    private var closePromise: EventLoopPromise<Void>?

    init(hub: ViewerHub) { self.hub = hub }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        hub.add(self, eventLoop: context.eventLoop)
        hub.logger.info("preview: viewer connected from \(context.remoteAddress?.description ?? "?") (\(hub.count) now)")
    }

    func handlerRemoved(context: ChannelHandlerContext) { gone() }

    func channelInactive(context: ChannelHandlerContext) {
        gone()
        context.fireChannelInactive()
    }

    private func gone() {
        guard context != nil else { return }
        context = nil
        hub.remove(self)
        closePromise?.succeed()
        closePromise = nil
    }

    // MARK: Out (on this channel's event loop)

    func offer(frame: ByteBuffer) {
        if pendingFrame != nil { hub.dropped.add(1, ordering: .relaxed) }
        pendingFrame = frame
        pump()
    }

    func offer(status: String) {
        pendingStatus = status
        pump()
    }

    private func reply(_ json: String) {
        guard replies.count < Self.maxReplies else { return }
        replies.append(json)
        pump()
    }

    /// The run ended: last status, then a normal close; the future completes when the channel is gone.
    func closeAfter(status: String, on eventLoop: any EventLoop) -> EventLoopFuture<Void> {
        guard let context else { return eventLoop.makeSucceededFuture(()) }
        let promise = context.eventLoop.makePromise(of: Void.self)
        closePromise = promise
        pendingFrame = nil
        pendingStatus = status
        closing = true
        pump()
        return promise.futureResult
    }

    private func pump() {
        guard !writing, let context else { return }
        let frame: WebSocketFrame
        if !replies.isEmpty {
            frame = textFrame(replies.removeFirst(), context)
        } else if let s = pendingStatus {
            pendingStatus = nil
            frame = textFrame(s, context)
        } else if let f = pendingFrame {
            pendingFrame = nil
            frame = WebSocketFrame(fin: true, opcode: .binary, data: f)
        } else {
            if closing { sendClose(.normalClosure, context) }
            return
        }
        writing = true
        context.writeAndFlush(wrapOutboundOut(frame)).assumeIsolated().whenComplete { [self] result in
            writing = false
            if case .success = result { pump() }
        }
    }

    private func textFrame(_ text: String, _ context: ChannelHandlerContext) -> WebSocketFrame {
        WebSocketFrame(fin: true, opcode: .text, data: context.channel.allocator.buffer(string: text))
    }

    private func sendClose(_ code: WebSocketErrorCode, _ context: ChannelHandlerContext) {
        closing = true
        var data = context.channel.allocator.buffer(capacity: 2)
        data.write(webSocketErrorCode: code)
        let close = WebSocketFrame(fin: true, opcode: .connectionClose, data: data)
        context.writeAndFlush(wrapOutboundOut(close)).assumeIsolated().whenComplete { _ in context.close(promise: nil) }
    }

    // MARK: In

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .text:
            var bytes = frame.unmaskedData
            guard let raw = bytes.readBytes(length: bytes.readableBytes),
                  let text = String(validating: raw, as: UTF8.self) else {
                return reject("text message is not valid UTF-8", context)
            }
            let answer = hub.receive(text)
            if answer.rejected { countRejection(answer.json, context) }
            reply(answer.json)
        case .binary:
            reject("binary messages are not accepted; send {\"type\":\"prompt\",\"text\":\"...\"}", context)
        case .ping:
            let pong = WebSocketFrame(fin: true, opcode: .pong, data: frame.unmaskedData)
            context.writeAndFlush(wrapOutboundOut(pong), promise: nil)
        case .pong:
            break
        case .connectionClose:
            if !closing { sendClose(.normalClosure, context) }
        default:
            reject("unexpected frame \(frame.opcode)", context)
        }
    }

    private func reject(_ reason: String, _ context: ChannelHandlerContext) {
        let answer = PreviewSession.errorJSON(reason)
        countRejection(answer, context)
        reply(answer)
    }

    private func countRejection(_ answer: String, _ context: ChannelHandlerContext) {
        hub.rejected.add(1, ordering: .relaxed)
        rejected += 1
        hub.logger.warning("preview: rejected a message from \(context.remoteAddress?.description ?? "?"): \(answer)")
        if rejected >= Self.maxRejected && !closing {
            hub.logger.warning("preview: closing a viewer after \(rejected) rejected messages")
            sendClose(.policyViolation, context)
        }
    }

    /// Protocol errors (oversized or malformed frames): NIO's error handler has already answered with a
    /// close frame carrying the reason; log it and make sure the connection goes.
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        hub.rejected.add(1, ordering: .relaxed)
        hub.logger.warning("preview: viewer \(context.remoteAddress?.description ?? "?") sent a bad frame: \(error); closing")
        context.close(promise: nil)
    }
}

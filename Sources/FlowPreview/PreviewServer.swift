import Dispatch
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket

/// The HTTP and WebSocket listener (swift-nio): the page and /metrics over HTTP, viewers on `/ws`.
/// One event-loop thread: a preview is a few viewers, and generation wants the cores.
final class PreviewServer: Sendable {
    /// Largest message a viewer may send (a prompt is far smaller); bigger frames are a protocol
    /// error that NIO answers with close code 1009 ("message too big").
    static let maxMessageBytes = 16 * 1024

    private let group: MultiThreadedEventLoopGroup
    private let channel: any Channel
    let bound: ServeAddress

    init(address: ServeAddress, hub: ViewerHub, route: @escaping @Sendable (String) -> HTTPReply) throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let policy = RequestPolicy(loopbackOnly: address.isLoopback)
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 64)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let upgrader = NIOWebSocketServerUpgrader(
                        maxFrameSize: Self.maxMessageBytes,
                        automaticErrorHandling: true,
                        // UpgradeGate has checked path, Host, Origin and room; this is the second line.
                        shouldUpgrade: { channel, head in
                            let ok = head.uri == "/ws" && hub.hasRoom
                                && policy.allowsWebSocket(host: head.headers.first(name: "host"), origin: head.headers.first(name: "origin"))
                            return channel.eventLoop.makeSucceededFuture(ok ? HTTPHeaders() : nil)
                        },
                        upgradePipelineHandler: { channel, _ in
                            channel.eventLoop.makeCompletedFuture {
                                let ops = channel.pipeline.syncOperations
                                channel.pipeline.removeHandler(name: UpgradeGate.name, promise: nil)
                                try ops.addHandler(NIOWebSocketFrameAggregator(minNonFinalFragmentSize: 1, maxAccumulatedFrameCount: 64,
                                                                               maxAccumulatedFrameSize: Self.maxMessageBytes))
                                try ops.addHandler(ViewerHandler(hub: hub))
                            }
                        })
                    let ops = channel.pipeline.syncOperations
                    try ops.configureHTTPServerPipeline(withServerUpgrade: (upgraders: [upgrader], completionHandler: { context in
                        context.pipeline.removeHandler(name: HTTPHandler.name, promise: nil)
                    }))
                    try ops.addHandler(HTTPHandler(policy: policy, logger: hub.logger, route: route), name: HTTPHandler.name)
                    let upgradeHandler = try ops.handler(type: HTTPServerUpgradeHandler.self)
                    try ops.addHandler(UpgradeGate(policy: policy, hub: hub), name: UpgradeGate.name, position: .before(upgradeHandler))
                }
            }
        do {
            channel = try bootstrap.bind(host: address.host, port: address.port).wait()
        } catch {
            try? group.syncShutdownGracefully()
            throw error
        }
        self.group = group
        bound = ServeAddress(host: address.host, port: channel.localAddress?.port ?? address.port)
    }

    /// Stops listening and closes every connection; waits for the event loop to end.
    func stop() {
        try? channel.close().wait()
        try? group.syncShutdownGracefully()
    }
}

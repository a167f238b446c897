import FlowCore
import FlowKit
import Foundation
import Logging
import NIOCore
import Synchronization

/// The live preview of one run (`flowrun GRAPH --serve`): taps the run's frames, blocks and prompts,
/// serves the page, streams frames and status to every viewer, takes prompts from the page and
/// exports /metrics. Create it after the `GraphRun` and before `run()`; `stop` when the run returns.
/// Unchecked Sendable for `ticker` only (a Dispatch source, set up in init and cancelled in stop);
/// everything else is immutable or behind a Mutex.
public final class PreviewSession: @unchecked Sendable {
    public struct Options: Sendable {
        public var address: ServeAddress
        /// Hands a viewer's prompt to the graph; false when it can no longer take one.
        public var postPrompt: (@Sendable (String) -> Bool)?
        /// The watched frames ended (the video is done): the caller stops taking prompts.
        public var framesEnded: @Sendable () -> Void
        public var logger: Logger
        /// Seconds between accepted prompts (all viewers together).
        public var promptInterval: Double

        public init(address: ServeAddress, postPrompt: (@Sendable (String) -> Bool)?, framesEnded: @escaping @Sendable () -> Void = {},
                    logger: Logger, promptInterval: Double = 1.0) {
            self.address = address
            self.postPrompt = postPrompt
            self.framesEnded = framesEnded
            self.logger = logger
            self.promptInterval = promptInterval
        }
    }

    private let run: GraphRun
    private let options: Options
    let ports: PreviewPorts
    let observer = RunObserver()
    let metrics = PreviewMetrics()
    private let hub: ViewerHub
    private let server: Mutex<PreviewServer?> = Mutex(nil)
    private let gate: Mutex<PromptGate>
    private let latestFrames = Mutex<FrameBatch?>(nil)
    private let encodeScheduled = Atomic<Bool>(false)
    private let encodeQueue = DispatchQueue(label: "flowrun.preview.encode")
    private let ticker: DispatchSourceTimer
    private let tick = Mutex(Tick())
    private let allocator = ByteBufferAllocator()

    /// The ticker's memory: the previous live stats (for busy % over the last interval) and recent
    /// frame counts (for FPS over the last two seconds).
    private struct Tick {
        var previous: LiveStats?
        var frameSamples: [(seconds: Double, frames: Int)] = []
        var status = "{}"
    }

    /// The address viewers open, e.g. http://127.0.0.1:43817/
    public let url: String
    /// The watched frames, `node.port`; nil when the graph makes none.
    public var framesPort: String? { ports.frames.map { "\($0.node).\($0.port)" } }

    public init(run: GraphRun, options: Options) throws {
        self.run = run
        self.options = options
        ports = PreviewPorts.choose(in: run.graph)
        gate = Mutex(PromptGate(minInterval: options.promptInterval))
        ticker = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "flowrun.preview.ticker"))
        let receive: @Sendable (String) -> ViewerHub.Reply
        let weak = WeakBox<PreviewSession>()
        receive = { text in weak.value?.receive(text) ?? ViewerHub.Reply(json: Self.errorJSON("the run has ended"), rejected: false) }
        hub = ViewerHub(logger: options.logger, receive: receive)
        let route: @Sendable (String) -> HTTPReply = { path in weak.value?.route(path) ?? HTTPReply(.serviceUnavailable, text: "ended\n") }
        let server = try PreviewServer(address: options.address, hub: hub, route: route)
        url = "http://\(server.bound)/"
        self.server.withLock { $0 = server }
        weak.value = self
        installTaps()
        ticker.schedule(deadline: .now() + 0.5, repeating: 0.5)
        ticker.setEventHandler { [weak self] in self?.refresh(state: "running") }
        ticker.resume()
    }

    /// Ends the preview: viewers get the final status and a normal close, then the server stops.
    public func stop(outcome: String) {
        ticker.cancel()
        let final = refresh(state: outcome)
        hub.closeAll(finalStatus: final)
        let server = self.server.withLock { s -> PreviewServer? in defer { s = nil }; return s }
        server?.stop()
    }

    // MARK: Taps (node threads: keep them short)

    private func installTaps() {
        if let f = ports.frames {
            run.tap(node: f.node, port: f.port) { [weak self] event in self?.framesEvent(event) }
        }
        if let l = ports.latents {
            run.tap(node: l.node, port: l.port) { [weak self] event in
                guard let self, case .packet(let p) = event, let block = p.payload as? LatentBlock else { return }
                if let interval = observer.latent(block: p.position, generation: block.promptGeneration, at: Self.now()) {
                    metrics.blockSeconds.record(Duration.nanoseconds(Int64(interval)))
                }
                metrics.blocks.increment()
            }
        }
        for p in ports.prompts {
            run.tap(node: p.node, port: p.port) { [weak self] event in
                guard let self, case .packet(let packet) = event else { return }
                let prompts = (packet.payload as? [Prompt]) ?? [(packet.payload as? Prompt)].compactMap { $0 }
                for prompt in prompts {
                    observer.prompt(prompt, at: Self.now())
                    metrics.promptSwitches(prompt.mode.rawValue).increment()
                }
            }
        }
    }

    private func framesEvent(_ event: TapEvent) {
        guard case .packet(let packet) = event else {
            options.framesEnded()
            return
        }
        guard let batch = packet.payload as? FrameBatch else { return }
        metrics.frames.increment(by: Int64(batch.count))
        if let ms = observer.frames(batch, at: Self.now())?.latencyMs {
            metrics.promptLatency.record(Duration.nanoseconds(Int64(ms * 1e6)))
        }
        guard hub.count > 0 else { return }
        // Latest only: the encoder takes the newest batch when it gets to it.
        latestFrames.withLock { $0 = batch }
        if !encodeScheduled.exchange(true, ordering: .acquiringAndReleasing) {
            encodeQueue.async { [weak self] in self?.encodeLatest() }
        }
    }

    private func encodeLatest() {
        encodeScheduled.store(false, ordering: .releasing)
        guard let batch = latestFrames.withLock({ b -> FrameBatch? in defer { b = nil }; return b }),
              let message = FrameMessage.encode(batch, allocator: allocator) else { return }
        hub.broadcastFrame(message)
    }

    // MARK: Viewers' messages and HTTP

    func receive(_ text: String) -> ViewerHub.Reply {
        let verdict = gate.withLock { $0.check(text, now: Double(Self.now()) / 1e9) }
        switch verdict {
        case .rejected(let reason):
            return ViewerHub.Reply(json: Self.errorJSON(reason), rejected: true)
        case .prompt(let prompt):
            guard let post = options.postPrompt else {
                return ViewerHub.Reply(json: Self.errorJSON("this graph has no prompt source"), rejected: true)
            }
            guard post(prompt) else {
                return ViewerHub.Reply(json: Self.errorJSON("the run no longer takes prompts"), rejected: true)
            }
            options.logger.info("preview: prompt from a viewer: \(prompt)")
            return ViewerHub.Reply(json: Self.json(["type": "ack", "text": prompt]), rejected: false)
        }
    }

    func route(_ path: String) -> HTTPReply {
        switch path {
        case "/", "/index.html": return HTTPReply(.ok, "text/html; charset=utf-8", PackageResources.index_html)
        case "/preview.js": return HTTPReply(.ok, "text/javascript; charset=utf-8", PackageResources.preview_js)
        case "/preview.css": return HTTPReply(.ok, "text/css; charset=utf-8", PackageResources.preview_css)
        case "/status.json": return HTTPReply(.ok, "application/json", Array(tick.withLock { $0.status }.utf8))
        case "/metrics":
            syncMetrics(run.liveStats())
            return HTTPReply(.ok, "text/plain; version=0.0.4; charset=utf-8", Array(metrics.text().utf8))
        default: return HTTPReply(.notFound, text: "not found\n")
        }
    }

    // MARK: Status

    /// Takes the live stats, sends the status to every viewer and returns it.
    @discardableResult
    private func refresh(state: String) -> String {
        let live = run.liveStats()
        syncMetrics(live)
        let seen = observer.snapshot()
        let seconds = Double(live.elapsedNanos) / 1e9
        let json = tick.withLock { t -> String in
            let previous = t.previous
            t.previous = live
            t.frameSamples.append((seconds, seen.frames))
            t.frameSamples.removeAll { seconds - $0.seconds > 2.0 }
            let fps: Double
            if let first = t.frameSamples.first, seconds - first.seconds > 0.1 {
                fps = Double(seen.frames - first.frames) / (seconds - first.seconds)
            } else { fps = 0 }
            let span = previous.map { Double(live.elapsedNanos &- $0.elapsedNanos) } ?? Double(live.elapsedNanos)
            let nodes = live.nodes.enumerated().map { i, n -> PreviewStatus.Node in
                let before = previous?.nodes[i]
                func pct(_ now: UInt64, _ then: UInt64?) -> Double {
                    span > 0 ? min(100, 100 * Double(now &- (then ?? 0)) / span) : 0
                }
                return PreviewStatus.Node(id: n.id, type: n.type, items: n.items, busy: pct(n.busyNanos, before?.busyNanos),
                                          blocked: pct(n.blockedOnOutputNanos, before?.blockedOnOutputNanos))
            }
            let recent = seen.recentBlockNanos
            let status = PreviewStatus(
                state: state, graph: run.graph.name, seconds: seconds, frames: seen.frames, lastFrame: seen.lastFrame,
                width: seen.width, height: seen.height, blocks: seen.blocks, lastBlock: seen.lastBlock, fps: fps,
                blockMs: recent.isEmpty ? nil : Double(recent.reduce(0, +)) / Double(recent.count) / 1e6,
                promptLatencyMs: seen.lastPromptLatencyMs, acceptsPrompts: options.postPrompt != nil,
                maxPromptLength: PromptGate.maxLength, viewers: hub.count,
                framesPort: ports.frames.map { "\($0.node).\($0.port)" }, nodes: nodes,
                edges: live.edges.map { PreviewStatus.Edge(name: $0.name, depth: $0.depth, capacity: $0.capacity) },
                prompts: seen.prompts)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            t.status = (try? encoder.encode(status)).flatMap { String(data: $0, encoding: .utf8) } ?? "{}"
            return t.status
        }
        hub.broadcastStatus(json)
        return json
    }

    private func syncMetrics(_ live: LiveStats) {
        metrics.sync(live, viewers: hub.count, dropped: hub.dropped.load(ordering: .relaxed),
                     rejected: hub.rejected.load(ordering: .relaxed))
    }

    // MARK: Helpers

    static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

    static func errorJSON(_ message: String) -> String { json(["type": "error", "message": message]) }

    static func json(_ object: [String: String]) -> String {
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}

/// Lets closures made before `self` exists reach it later without keeping it alive.
final class WeakBox<T: AnyObject & Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private weak var object: T?
    var value: T? {
        get { lock.withLock { object } }
        set { lock.withLock { object = newValue } }
    }
}

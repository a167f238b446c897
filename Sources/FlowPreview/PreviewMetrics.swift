import FlowCore
import Prometheus
import Synchronization

/// `/metrics` in Prometheus text format (swift-prometheus). Node and queue figures are copied from
/// the run's live stats when the ticker runs and when /metrics is read; frames, blocks and prompt
/// switches are counted as the taps see them.
final class PreviewMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    let frames: Counter
    let blocks: Counter
    let blockSeconds: DurationHistogram
    let promptLatency: DurationHistogram
    let viewers: Gauge
    private let seen = Mutex<Seen>(Seen())

    /// Totals already added to the counters, so each sync adds only what is new.
    private struct Seen {
        var busy: [String: UInt64] = [:]
        var blocked: [String: UInt64] = [:]
        var items: [String: Int] = [:]
        var dropped = 0
        var rejected = 0
    }

    init() {
        frames = registry.makeCounter(descriptor: Self.descriptor("flowrun_frames_total"))
        blocks = registry.makeCounter(descriptor: Self.descriptor("flowrun_blocks_total"))
        blockSeconds = registry.makeDurationHistogram(
            descriptor: Self.descriptor("flowrun_block_latency_seconds"),
            buckets: [.milliseconds(5), .milliseconds(10), .milliseconds(20), .milliseconds(50), .milliseconds(100),
                      .milliseconds(200), .milliseconds(500), .seconds(1), .seconds(2), .seconds(5)])
        promptLatency = registry.makeDurationHistogram(
            descriptor: Self.descriptor("flowrun_prompt_latency_seconds"),
            buckets: [.milliseconds(50), .milliseconds(100), .milliseconds(200), .milliseconds(500), .seconds(1),
                      .seconds(2), .seconds(5), .seconds(10)])
        viewers = registry.makeGauge(descriptor: Self.descriptor("flowrun_preview_viewers"))
        for mode in ["timeline", "live"] { _ = promptSwitches(mode) }
        _ = counter("flowrun_preview_frames_dropped_total", [])
        _ = counter("flowrun_preview_messages_rejected_total", [])
    }

    func promptSwitches(_ mode: String) -> Counter {
        counter("flowrun_prompt_switches_total", [("source", mode)])
    }

    /// One help text per name: the registry stops the process if two calls disagree.
    static let help: [String: String] = [
        "flowrun_frames_total": "Frames that reached the preview's output port",
        "flowrun_blocks_total": "Latent blocks generated",
        "flowrun_block_latency_seconds": "Time between consecutive generated blocks (one block's generation time as the output sees it)",
        "flowrun_prompt_latency_seconds": "Typed prompts: from the prompt source to the first output frame made under them",
        "flowrun_preview_viewers": "Connected preview viewers",
        "flowrun_prompt_switches_total": "Prompts emitted, by source (timeline or live)",
        "flowrun_node_busy_seconds_total": "Time each node spent computing",
        "flowrun_node_blocked_output_seconds_total": "Time each node waited on a full output queue",
        "flowrun_node_items_total": "Packets each node has handled",
        "flowrun_queue_depth": "Packets waiting on each edge",
        "flowrun_queue_capacity": "Capacity of each edge",
        "flowrun_preview_frames_dropped_total": "Frame messages replaced by newer ones before a slow viewer took them",
        "flowrun_preview_messages_rejected_total": "Viewer messages or connections refused",
    ]

    static func descriptor(_ name: String) -> MetricNameDescriptor {
        // The unit is part of each name already (an empty unit adds nothing).
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help[name] ?? "")
    }

    private func counter(_ name: String, _ labels: [(String, String)]) -> Counter {
        registry.makeCounter(descriptor: Self.descriptor(name), labels: labels)
    }

    private func gauge(_ name: String, _ labels: [(String, String)]) -> Gauge {
        registry.makeGauge(descriptor: Self.descriptor(name), labels: labels)
    }

    func sync(_ live: LiveStats, viewers count: Int, dropped: Int, rejected: Int) {
        viewers.set(Double(count))
        seen.withLock { s in
            for n in live.nodes {
                let labels = [("node", n.id)]
                counter("flowrun_node_busy_seconds_total", labels)
                    .increment(by: Double(n.busyNanos &- (s.busy[n.id] ?? 0)) / 1e9)
                counter("flowrun_node_blocked_output_seconds_total", labels)
                    .increment(by: Double(n.blockedOnOutputNanos &- (s.blocked[n.id] ?? 0)) / 1e9)
                counter("flowrun_node_items_total", labels)
                    .increment(by: Int64(n.items - (s.items[n.id] ?? 0)))
                s.busy[n.id] = n.busyNanos
                s.blocked[n.id] = n.blockedOnOutputNanos
                s.items[n.id] = n.items
            }
            for e in live.edges {
                gauge("flowrun_queue_depth", [("edge", e.name)]).set(Double(e.depth))
                gauge("flowrun_queue_capacity", [("edge", e.name)]).set(Double(e.capacity))
            }
            counter("flowrun_preview_frames_dropped_total", []).increment(by: Int64(dropped - s.dropped))
            counter("flowrun_preview_messages_rejected_total", []).increment(by: Int64(rejected - s.rejected))
            s.dropped = dropped
            s.rejected = rejected
        }
    }

    func text() -> String { registry.emitToString() }
}

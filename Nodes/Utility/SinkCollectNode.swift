import Foundation
import FlowKit

/// Collects what arrives; optionally writes one line per packet to a file and a closing line in
/// `finish`, so tests can see that a sink finalized after an error or an interrupt.
public final class SinkCollectNode: Node {
    public static let contract = NodeContract(
        type: "sink.collect",
        summary: "Collects packets; can log them or write them to a file it finalizes at the end.",
        inputs: [PortSpec("in", .any, fanIn: true, doc: "anything; several edges may feed it")],
        params: [
            ParamSpec("path", .path, default: .string(""), doc: "if set, a text file (relative to the graph file): one line per packet, then 'end N'"),
            ParamSpec("log", .bool, default: .bool(false), doc: "log every packet"),
            ParamSpec("cost_us", .float, default: .float(0), range: 0...6e7, doc: "sleep per packet (a slow consumer)"),
        ])

    public private(set) var positions: [Int] = []
    public private(set) var payloads: [String] = []
    public private(set) var finishCount = 0
    private var file: FileHandle?
    private let logs: Bool
    private let cost: Double

    public init(context: NodeContext) throws {
        logs = context.params.bool("log")
        cost = context.params.double("cost_us")
        // The compiler resolves a graph's paths against the graph file's folder; `context.path` does the
        // same for a node built without it (a harness).
        if !context.params.string("path").isEmpty {
            let full = context.path("path")
            let dir = (full as NSString).deletingLastPathComponent
            try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            guard FileManager.default.createFile(atPath: full, contents: nil), let h = FileHandle(forWritingAtPath: full) else {
                throw NodeError("cannot write '\(full)'")
            }
            file = h
        }
    }

    public func process(_ packet: Packet, port: String, _ io: NodeIO) throws {
        if cost > 0 { Thread.sleep(forTimeInterval: cost / 1e6) }
        positions.append(packet.position)
        let text = "\(packet.payload)"
        payloads.append(text)
        if logs { io.log("\(packet.position): \(text)") }
        try file?.write(contentsOf: Data("\(packet.position) \(text)\n".utf8))
    }

    public func finish(_ io: NodeIO) throws {
        finishCount += 1
        try file?.write(contentsOf: Data("end \(positions.count)\n".utf8))
        try file?.close()
        file = nil
    }
}

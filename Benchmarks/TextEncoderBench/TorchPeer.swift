import Foundation

/// torch_peer.py as a long-lived child: started once, then asked for one timed run at a time, so
/// its runs interleave with ours.
final class TorchPeer {
    struct Config: Encodable {
        struct Case: Encodable { let name: String; let batch: Int; let tokens: Int; let texts: [String] }
        let threads: Int
        let min_seconds: Double
        let configs: [Case]
    }

    struct PeerError: Error, CustomStringConvertible {
        let description: String
    }

    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("torch_peer.py").path

    private let process = Process()
    private let input = Pipe()
    private let output = Pipe()
    private var buffered = Data()
    private let configPath: String
    /// "torch 2.x, N threads".
    private(set) var version = ""

    init(_ config: Config, python: String = "python3") throws {
        configPath = NSTemporaryDirectory() + "text-encoder-bench-\(getpid()).json"
        try JSONEncoder().encode(config).write(to: URL(fileURLWithPath: configPath))
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [python, Self.script, configPath]
        // Same thread budget: torch.set_num_threads in the script, OpenMP here.
        var environment = ProcessInfo.processInfo.environment
        environment["OMP_NUM_THREADS"] = String(config.threads)
        environment["MKL_NUM_THREADS"] = String(config.threads)
        process.environment = environment
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        let hello = try readObject()
        version = "torch \(hello["torch"] ?? "?"), \(hello["threads"] ?? "?") threads"
    }

    /// One timed run of config `index`: sentences per second.
    func run(_ index: Int) throws -> Double {
        input.fileHandleForWriting.write(Data("\(index)\n".utf8))
        guard let rate = try readObject()["sentences_per_s"] as? Double else { throw PeerError(description: "torch peer sent no rate") }
        return rate
    }

    func stop() {
        input.fileHandleForWriting.write(Data("\n".utf8))
        process.waitUntilExit()
        try? FileManager.default.removeItem(atPath: configPath)
    }

    private func readObject() throws -> [String: Any] {
        while true {
            if let newline = buffered.firstIndex(of: 0x0A) {
                let line = buffered[..<newline]
                buffered = Data(buffered[(newline + 1)...])
                guard let object = try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any] else {
                    throw PeerError(description: "torch peer sent \(String(decoding: line, as: UTF8.self))")
                }
                return object
            }
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty {
                throw PeerError(description: "torch_peer.py exited (status \(process.isRunning ? 0 : process.terminationStatus)); install the peer with: pip install torch sentence-transformers")
            }
            buffered.append(chunk)
        }
    }
}

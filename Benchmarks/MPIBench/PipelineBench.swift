import Foundation

/// The driver: runs the hop bench under mpirun, then longlive.yaml in one process and longlive-mpi.yaml on three
/// ranks, alternating, and prints frames per second for both and what four hosts would give on paper.
enum PipelineBench {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let binaries = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
    static let mpirun = ["/usr/bin/mpirun", "/usr/local/bin/mpirun"].first { FileManager.default.isExecutableFile(atPath: $0) }

    struct Result { var seconds: Double; var stderr: String }

    static func launch(_ executable: String, _ args: [String]) throws -> Result {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = args
        p.currentDirectoryURL = repo
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        let t0 = Date()
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let seconds = Date().timeIntervalSince(t0)
        guard p.terminationStatus == 0 else {
            throw BenchError("\(executable) \(args.joined(separator: " ")) exited \(p.terminationStatus):\n\(String(decoding: e, as: UTF8.self))")
        }
        return Result(seconds: seconds, stderr: String(decoding: o, as: UTF8.self) + String(decoding: e, as: UTF8.self))
    }

    static func mpiArgs(_ ranks: Int) -> [String] {
        (getuid() == 0 ? ["--allow-run-as-root"] : []) + ["--oversubscribe", "-np", String(ranks)]
    }

    /// The largest `wall X ms` a run's --stats printed (each rank prints its own).
    static func runWall(_ stats: String) -> Double {
        stats.split(separator: "\n").compactMap { line -> Double? in
            guard line.hasPrefix("wall ") else { return nil }
            return Double(line.split(separator: " ")[1]).map { $0 / 1000 }
        }.max() ?? .nan
    }

    /// Busy seconds per node from --stats tables.
    static func busy(_ stats: String, nodes: [String]) -> [String: Double] {
        var out: [String: Double] = [:]
        for line in stats.split(separator: "\n") {
            let cells = line.split(separator: " ")
            guard cells.count >= 8, nodes.contains(String(cells[0])), let ms = Double(cells[3]) else { continue }
            out[String(cells[0])] = ms / 1000
        }
        return out
    }

    static func median(_ xs: [Double]) -> Double { xs.sorted()[xs.count / 2] }

    static func run(frames: Int) throws {
        guard let mpirun else { throw BenchError("mpirun is not installed (scripts/setup installs Open MPI)") }
        let flowrun = binaries.appendingPathComponent("flowrun").path
        guard FileManager.default.isExecutableFile(atPath: flowrun) else { throw BenchError("build flowrun next to MPIBench: swift build -c release --product flowrun") }
        let cores = ProcessInfo.processInfo.activeProcessorCount
        print("MPIBench: Open MPI on one machine, \(cores) cores, shared memory between ranks (vader BTL)")

        let hopRun = try launch(mpirun, mpiArgs(2) + [CommandLine.arguments[0], "hop"])
        print(hopRun.stderr.split(separator: "\n").filter { $0.hasPrefix("hop ") }.joined(separator: "\n"))

        let out = FileManager.default.temporaryDirectory.appendingPathComponent("mpibench-\(getpid())")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: out) }
        let stages = ["text", "gen/denoise", "gen/kv", "gen/vae", "gen/video"]
        var one: [Double] = [], three: [Double] = [], split: [Double] = []
        var oneRun: [Double] = [], threeRun: [Double] = []
        var alone: [String: [Double]] = [:]
        for i in 0..<3 {
            let common = ["--set", "frames=\(frames)", "--quiet", "--stats"]
            let a = try launch(flowrun, ["Graphs/longlive.yaml", "--set", "out=\(out.path)/one-\(i).mp4"] + common)
            let b = try launch(mpirun, mpiArgs(3) + [flowrun, "Graphs/longlive-mpi.yaml", "--set", "out=\(out.path)/mpi-\(i).mp4"] + common)
            let c = try launch(flowrun, ["Graphs/longlive-mpi.yaml", "--set", "out=\(out.path)/split-\(i).mp4"] + common)
            // Each node alone with every core: what a stage costs on a host of its own.
            let d = try launch(flowrun, ["Graphs/longlive.yaml", "--sequential", "--set", "out=\(out.path)/seq-\(i).mp4"] + common)
            one.append(a.seconds); oneRun.append(runWall(a.stderr))
            three.append(b.seconds); threeRun.append(runWall(b.stderr))
            split.append(c.seconds)
            for (k, v) in busy(d.stderr, nodes: stages) { alone[k, default: []].append(v) }
        }
        let f = Double(frames)
        print(String(format: "longlive, %d frames, median of 3, whole process (start-up and model loading included):", frames))
        print(String(format: "  longlive.yaml, one process:         %6.2f fps  (%.2f s)", f / median(one), median(one)))
        print(String(format: "  longlive-mpi.yaml, one process:     %6.2f fps  (%.2f s; the split's two halves on two queues)", f / median(split), median(split)))
        print(String(format: "  longlive-mpi.yaml, mpirun -np 3:    %6.2f fps  (%.2f s)", f / median(three), median(three)))
        print(String(format: "  3 ranks / 1 process: %.2fx", median(one) / median(three)))
        print(String(format: "  (graph runs alone: one process %.2f s, the ranks' longest %.2f s; ranks load their models while others start)",
                     median(oneRun), median(threeRun)))
        print("  On \(cores) cores the three ranks share the cores the one process uses (oversubscribed; each rank's MPI thread")
        print("  polls too), so this shows what crossing ranks costs and that the split runs, not what three machines give;")
        print("  separate processes also stop sharing one malloc arena and one OpenBLAS thread pool.")

        // On paper: four hosts with this machine's cores each. Per-stage times from --sequential (each node alone with
        // every core). The six layers are alike, so each half of the split takes half a call (the embedding and head
        // are under 2% of the weights); with guidance a step is front(cond), then tail(cond) alongside front(uncond),
        // then tail(uncond): 1.5 calls instead of 2, and the t = 0 pass 1 call: 7 call-times per block instead of 9.
        let p = alone.mapValues(median)
        let blocks = Double((frames + 11) / 12), calls = 9.0
        let d = (p["gen/denoise"] ?? 0) / blocks / calls
        let hop = hopLatency(hopRun.stderr)
        let wholeDenoise = calls * d + (p["gen/kv"] ?? 0) / blocks
        let splitDenoise = 7 * d + 2 * calls * hop + (p["gen/kv"] ?? 0) / blocks
        let text = ((p["text"] ?? 0) + (p["gen/video"] ?? 0)) / blocks, vae = (p["gen/vae"] ?? 0) / blocks
        print(String(format: "4 hosts on paper (per-stage times from --sequential, %.0f blocks; one model call %.1f ms; a hop %.2f ms):", blocks, d * 1000, hop * 1000))
        print(String(format: "  host 0: text + video %.1f ms/block; hosts 1 + 2: denoiser split at layer 3 %.1f ms/block (whole: %.1f); host 3: vae %.1f ms/block",
                     text * 1000, splitDenoise * 1000, wholeDenoise * 1000, vae * 1000))
        let byLayers = max(text, splitDenoise, vae), byStages = max(text, wholeDenoise, vae)
        print(String(format: "  => %.1f fps with the layer split, %.1f fps with stages on their own hosts but the denoiser whole, vs %.2f fps in one process here",
                     12 / byLayers, 12 / byStages, f / median(one)))
        print("  The slowest stage sets the rate. The layer split alone gains only guidance's overlap (9 -> 7 call-times per block);")
        print("  StreamDiffusionV2 goes further by keeping several blocks' steps in flight, which changes the sampler (a block would")
        print("  start before the previous block's cache is written), so this graph does not do it.")
    }

    /// Latency of a 100 KB hop from the hop bench's line, in seconds (the hidden states are 36 KB, replies 12 KB).
    static func hopLatency(_ text: String) -> Double {
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("hop 100 KB") }),
              let r = line.range(of: "latency "), let n = Double(line[r.upperBound...].prefix { $0.isNumber || $0 == "." }) else { return 0 }
        return n / 1e6
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

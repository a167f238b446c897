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

        let hop = try launch(mpirun, mpiArgs(2) + [CommandLine.arguments[0], "hop"])
        print(hop.stderr.split(separator: "\n").filter { $0.hasPrefix("hop ") }.joined(separator: "\n"))

        let out = FileManager.default.temporaryDirectory.appendingPathComponent("mpibench-\(getpid())")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: out) }
        let stages = ["text", "gen/denoise", "gen/kv", "gen/vae", "gen/video"]
        var one: [Double] = [], three: [Double] = [], oneProcess: [Double] = [], threeProcess: [Double] = []
        var stageBusy: [String: [Double]] = [:]
        for i in 0..<3 {
            let common = ["--set", "frames=\(frames)", "--quiet", "--stats"]
            let a = try launch(flowrun, ["Graphs/longlive.yaml", "--set", "out=\(out.path)/one-\(i).mp4"] + common)
            let b = try launch(mpirun, mpiArgs(3) + [flowrun, "Graphs/longlive-mpi.yaml", "--set", "out=\(out.path)/mpi-\(i).mp4"] + common)
            one.append(runWall(a.stderr)); oneProcess.append(a.seconds)
            three.append(runWall(b.stderr)); threeProcess.append(b.seconds)
            for (k, v) in busy(a.stderr, nodes: stages) { stageBusy[k, default: []].append(v) }
        }
        let f = Double(frames)
        print(String(format: "longlive, %d frames, median of 3 (graph run / whole process incl. start-up and model load):", frames))
        print(String(format: "  one process:          %.2f fps  (%.2f s run, %.2f s process)", f / median(one), median(one), median(oneProcess)))
        print(String(format: "  mpirun -np 3 ranks:   %.2f fps  (%.2f s run, %.2f s process)", f / median(three), median(three), median(threeProcess)))
        print(String(format: "  3 ranks / 1 process:  %.2fx fps", median(one) / median(three)))
        print("  On \(cores) cores the three ranks share the same cores the one process uses (oversubscribed), so this")
        print("  shows what crossing ranks costs (encoding, credits, the MPI threads' polling), not what more machines give.")

        // On paper: each stage on its own host with this machine's cores; the pipeline's rate is its slowest stage.
        let per = stageBusy.mapValues(median)
        let blocks = Double((frames + 11) / 12)
        let stageOf: [(String, Double)] = [("host 0: text", per["text"] ?? 0),
                                           ("host 1: denoise + kv", (per["gen/denoise"] ?? 0) + (per["gen/kv"] ?? 0)),
                                           ("host 2: vae", per["gen/vae"] ?? 0), ("host 3: video", per["gen/video"] ?? 0)]
        print(String(format: "4 hosts on paper, from the one-process per-stage busy times (%.0f blocks of 12 frames):", blocks))
        for (name, s) in stageOf { print(String(format: "  %-22@ %7.1f ms per block", name, s / blocks * 1000)) }
        let bottleneck = stageOf.max { $0.1 < $1.1 }!
        // Per block, latents (3x16x8x8 f32, 12 KB) cross to the decoder and frames (12x64x64 RGB, 144 KB) to the encoder.
        print(String(format: "  slowest stage %@: %.1f fps if every stage has a host of its own and transfers overlap (the edges carry 12 KB and 144 KB per block; see the hop figures)",
                     bottleneck.0, f / bottleneck.1))
        print(String(format: "  vs %.2f fps in one process here: %.2fx. The denoiser is the bottleneck, so splitting it by layers across hosts",
                     f / median(one), median(one) / bottleneck.1))
        print("  (StreamDiffusionV2's pipeline) is what would go further; a stage split alone stops at the denoiser's rate.")
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

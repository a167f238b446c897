import Foundation

/// torch_end_to_end.py: the same weights, steps, guidance, cache and streaming VAE in a plain PyTorch loop, at its
/// best setting (f32 or bf16 autocast, 1 or 2 threads), and torch's count of the FLOPs of one block.
struct EndToEndPeer {
    let fps: [String: Double]
    let best: String
    let bestFPS: Double
    let flopsPerFrame: Double
    let torchVersion: String

    static func run(repoRoot: String, model: String, blocks: Int) -> EndToEndPeer? {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", repoRoot + "/Benchmarks/LongLiveBench/torch_end_to_end.py", model, String(blocks)]
        let pipe = Pipe()
        p.standardOutput = pipe
        do { try p.run() } catch { print("end-to-end torch peer: cannot start python3: \(error)"); return nil }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0,
              let line = String(decoding: data, as: UTF8.self).split(separator: "\n").last,
              let json = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
              let fps = json["fps"] as? [String: Double], let best = json["best"] as? String,
              let bestFPS = json["best_fps"] as? Double, let flops = json["flops_per_block"] as? Double,
              let frames = json["frames_per_block"] as? Int else {
            print("end-to-end torch peer failed (status \(p.terminationStatus)); it needs python3 with torch (pip install /opt/wheels/torch-*.whl)")
            return nil
        }
        return EndToEndPeer(fps: fps, best: best, bestFPS: bestFPS, flopsPerFrame: flops / Double(frames),
                            torchVersion: json["torch"] as? String ?? "?")
    }
}

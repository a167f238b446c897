import Foundation

/// Runs torch_peer.py (Training/sample.py's loop on the same weights) and compares per-block denoising time.
enum TorchPeer {
    static func run(repoRoot: String, model: String, blocks: Int, swiftBlockMs: Double) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", repoRoot + "/Benchmarks/LongLiveBench/torch_peer.py", model, String(blocks), "2"]
        let pipe = Pipe()
        p.standardOutput = pipe
        do { try p.run() } catch { print("torch peer: cannot start python3: \(error)"); return }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0,
              let line = String(decoding: data, as: UTF8.self).split(separator: "\n").last,
              let json = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
              let f32 = json["f32_block_ms"] as? Double, let bf16 = json["bf16_block_ms"] as? Double else {
            print("torch peer failed (status \(p.terminationStatus))")
            return
        }
        print(String(format: "denoiser per block (4 steps + t=0 pass, %d blocks): flowrun %.1f ms, torch f32 %.1f ms, torch bf16 autocast %.1f ms (torch %@, 2 threads)",
                     blocks, swiftBlockMs, f32, bf16, (json["torch"] as? String ?? "?") as NSString))
        print(String(format: "flowrun vs torch f32: %.2fx, vs torch bf16: %.2fx", f32 / swiftBlockMs, bf16 / swiftBlockMs))
    }
}

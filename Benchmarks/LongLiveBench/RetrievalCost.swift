import Foundation
import FlowKit
import MemoryNodes

/// `--retrieval`: what LongLive-RAG adds to a block with a bank of one hour of video (14,400 latent frames):
/// the descriptor of the newest frame and the top-k search over every banked descriptor, plus dequantizing
/// the k frames it returns — timed alone, next to the denoiser's own time per block from the same run.
enum RetrievalCost {
    static func run(model: String, frames: Int, denoiserBlockMs: Double?) throws {
        let folder = try ModelFolder(path: model)
        let descriptor = try DescriptorModel(folder: folder)
        let den = try folder.section("denoiser")
        let layers = try den.int("depth"), heads = try den.int("heads"), headDim = try den.int("head_dim")
        let tokens = try den.int("tokens_per_frame"), channels = try den.int("latent_channels"), size = try den.int("latent_hw")
        let perFrame = MemoryBank.frameBytes(layers: layers, heads: heads, tokens: tokens, headDim: headDim, precision: .int8)
        var bank = MemoryBank(budgetBytes: perFrame * frames + 1, precision: .int8, policy: .oldest)
        var rng = SystemRandomNumberGenerator()
        func randomTensor(_ shape: [Int]) -> Tensor {
            Tensor(shape: shape) { out in for i in 0..<out.count { out[i] = Float.random(in: -1...1, using: &rng) } }
        }
        let kv = (0..<layers).map { _ in randomTensor([heads, tokens, headDim]) }
        let fill = Date()
        for p in 0..<frames {
            // Distinct descriptors (random unit vectors) over shared K/V: the search cost depends on the former only.
            var d = (0..<256).map { _ in Float.random(in: -1...1, using: &rng) }
            let n = d.reduce(0) { $0 + $1 * $1 }.squareRoot()
            d = d.map { $0 / n }
            let frame = KVFrame(position: p + 3, keys: kv, values: kv, latent: nil, promptGeneration: 0, keysRotated: false)
            try bank.add(KVEviction(frame: frame, reason: .window, sequence: p + 1), descriptor: d)
        }
        print(String(format: "retrieval bank: %d frames (one hour of video), int8, %.0f MiB, filled in %.1f s",
                     bank.count, Double(bank.bytes) / 1_048_576, Date().timeIntervalSince(fill)))
        var descriptorMs: [Double] = [], searchMs: [Double] = []
        for _ in 0..<200 {
            let latent = randomTensor([channels, size, size])
            let t0 = DispatchTime.now().uptimeNanoseconds
            let query = try descriptor.descriptor(latent)
            let t1 = DispatchTime.now().uptimeNanoseconds
            let matches = bank.topK(query: query, k: 3, excludeRecent: 5)
            let t2 = DispatchTime.now().uptimeNanoseconds
            precondition(matches.count == 3)
            descriptorMs.append(Double(t1 - t0) / 1e6)
            searchMs.append(Double(t2 - t1) / 1e6)
        }
        func median(_ x: [Double]) -> Double { x.sorted()[x.count / 2] }
        let total = median(zip(descriptorMs, searchMs).map { $0 + $1 })
        var line = String(format: "retrieval per block (median of 200): descriptor %.3f ms + top-3 search over %d frames with k dequantized %.3f ms = %.3f ms",
                          median(descriptorMs), bank.count, median(searchMs), total)
        if let ms = denoiserBlockMs {
            line += String(format: "; the denoiser's own block p50 in this run %.1f ms: retrieval adds %.2f%% (x%.4f)", ms, 100 * total / ms, 1 + total / ms)
        }
        print(line)
    }
}

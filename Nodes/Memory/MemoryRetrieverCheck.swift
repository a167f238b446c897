import Foundation
import FlowKit

/// Compile-time checks of memory.retriever's params against the model folder, so a graph whose descriptor
/// cannot read the denoiser's latents, or whose budget cannot hold what retrieval needs, does not run.
extension MemoryRetrieverNode {
    public static func check(_ params: Params) -> [ParamProblem] {
        var problems: [ParamProblem] = []
        let budgetMiB = params.double("budget_mb")
        if budgetMiB <= 0 { problems.append(ParamProblem(param: "budget_mb", "budget_mb is \(budgetMiB); the bank needs more than 0 MiB")) }
        // A model folder that cannot be found is reported as ModelFolder reports it; nothing more can be checked.
        let missing = ModelFolder.check(params)
        guard missing.isEmpty else { return problems + missing }
        do {
            let folder = try ModelFolder(path: params.path("model"))
            let shape = try BankedFrameShape(folder: folder)
            let weights = try folder.section("descriptor")["file"] as? String ?? "descriptor.safetensors"
            if !FileManager.default.fileExists(atPath: folder.path + "/" + weights) {
                problems.append(ParamProblem(param: "model", "\(folder.path)/\(weights) does not exist: memory.retriever needs the retrieval descriptor's weights (Training/export.py exports them)"))
            }
            if shape.descriptorChannels != shape.latentChannels {
                problems.append(ParamProblem(param: "model", "\(folder.path)/config.json: the descriptor reads \(shape.descriptorChannels)-channel latents (descriptor.latent_channels) but the denoiser makes \(shape.latentChannels)-channel ones (denoiser.latent_channels)"))
            }
            if budgetMiB > 0 {
                let precision = BankPrecision(rawValue: params.string("precision")) ?? .f32
                problems += budgetProblems(budgetBytes: Int(budgetMiB * 1_048_576), frameBytes: shape.bytes(precision),
                                           k: params.int("k"), excludeRecent: params.int("exclude_recent"),
                                           describe: shape.describe(precision))
            }
        } catch {
            problems.append(ParamProblem(param: "model", "\(error)"))
        }
        return problems
    }

    /// The bank must hold `k + excludeRecent` frames: the newest `excludeRecent` are never candidates, so
    /// with fewer a block could never get `k` frames back.
    static func budgetProblems(budgetBytes: Int, frameBytes: Int, k: Int, excludeRecent: Int, describe: String) -> [ParamProblem] {
        let holds = budgetBytes / frameBytes, needed = k + excludeRecent
        guard holds < needed else { return [] }
        let minimum = (Double(needed * frameBytes) / 1_048_576 * 100).rounded(.up) / 100
        return [ParamProblem(param: "budget_mb",
                             "budget_mb \(Double(budgetBytes) / 1_048_576) holds \(holds) banked frame(s) of \(frameBytes) bytes (\(describe)), but k \(k) needs \(needed): the newest \(excludeRecent) evictions (exclude_recent) are never candidates, so the bank must hold k + exclude_recent = \(needed) frames; raise budget_mb to at least \(minimum)\(describe.hasPrefix("f32") ? " or store int8 (precision: int8)" : "")")]
    }
}

/// What one banked frame is made of, from config.json: the denoiser's K/V layout and the descriptor's size.
struct BankedFrameShape {
    let layers: Int
    let heads: Int
    let tokens: Int
    let headDim: Int
    let latentChannels: Int
    let descriptorChannels: Int
    let descriptorDim: Int

    init(folder: ModelFolder) throws {
        let denoiser = try folder.section("denoiser"), descriptor = try folder.section("descriptor")
        func read(_ section: [String: Any], _ name: String, _ key: String) throws -> Int {
            do { return try section.int(key) } catch { throw NodeError("\(folder.path)/config.json \(name).\(key): \(error)") }
        }
        layers = try read(denoiser, "denoiser", "depth")
        heads = try read(denoiser, "denoiser", "heads")
        tokens = try read(denoiser, "denoiser", "tokens_per_frame")
        headDim = try read(denoiser, "denoiser", "head_dim")
        latentChannels = try read(denoiser, "denoiser", "latent_channels")
        descriptorChannels = try read(descriptor, "descriptor", "latent_channels")
        descriptorDim = try read(descriptor, "descriptor", "out_dim")
    }

    func bytes(_ precision: BankPrecision) -> Int {
        MemoryBank.frameBytes(layers: layers, heads: heads, tokens: tokens, headDim: headDim, precision: precision, dimension: descriptorDim)
    }

    func describe(_ precision: BankPrecision) -> String {
        "\(precision == .f32 ? "f32" : precision.rawValue) K and V of \(layers) layers x \(heads) heads x \(tokens) tokens x \(headDim), plus a \(descriptorDim)-d descriptor"
    }
}

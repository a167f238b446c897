/// The `precision` parameter of nodes with heavy layers (denoiser.block, vae.decoder).
extension ParamSpec {
    public static let precision = ParamSpec(
        "precision", .choice(Precision.allCases.map(\.rawValue)), default: .string(Precision.f32.rawValue),
        doc: "f32, or bf16: weights and GEMMs in bf16 through oneDNN (AMX / AVX512-BF16), f32 accumulation; a CPU without native bf16 runs f32")
}

extension Params {
    /// The `precision` a graph asked for.
    public var precision: Precision { Precision(rawValue: string("precision")) ?? .f32 }
}

extension Precision {
    /// For a node's finish line: what ran, and why if it is not what was asked.
    public static func note(asked: Precision, ran: Precision) -> String {
        if asked == ran { return ran == .bf16 ? "precision bf16 (\(BF16Runtime.kernelDescription))" : "precision f32" }
        return "precision \(ran) (\(asked) asked; \(BF16Runtime.kernelDescription))"
    }
}

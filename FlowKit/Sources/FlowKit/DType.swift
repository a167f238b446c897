/// Element types that ports and tensors talk about.
public enum ElementType: String, Sendable, Hashable, CaseIterable {
    case f32, f16, bf16, i8, i32, i64, u8
}

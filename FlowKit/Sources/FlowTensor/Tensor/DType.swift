/// Element types a tensor can hold. Compute is f32; the others are storage formats.
public enum DType: String, Sendable, CaseIterable, CustomStringConvertible {
    case f32, f16, bf16, i8, u8, i32, i64, f64, i16, bool

    /// Bytes per element.
    public var byteSize: Int {
        switch self {
        case .f32, .i32: return 4
        case .f16, .bf16, .i16: return 2
        case .i8, .u8, .bool: return 1
        case .i64, .f64: return 8
        }
    }

    /// The dtype name used in safetensors headers.
    public var safetensorsName: String {
        switch self {
        case .f32: return "F32"
        case .f16: return "F16"
        case .bf16: return "BF16"
        case .i8: return "I8"
        case .u8: return "U8"
        case .i16: return "I16"
        case .i32: return "I32"
        case .i64: return "I64"
        case .f64: return "F64"
        case .bool: return "BOOL"
        }
    }

    /// Parses a safetensors dtype name; nil for names we do not support.
    public init?(safetensorsName name: String) {
        guard let match = DType.allCases.first(where: { $0.safetensorsName == name }) else { return nil }
        self = match
    }

    public var description: String { rawValue }
}

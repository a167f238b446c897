/// Why a safetensors file was rejected. The description names the file and, when one is to blame,
/// the tensor.
public struct SafetensorsError: Error, CustomStringConvertible, Equatable {
    public let path: String
    /// The tensor at fault, if the problem is in one entry.
    public let tensor: String?
    public let reason: String

    public init(path: String, tensor: String? = nil, reason: String) {
        self.path = path; self.tensor = tensor; self.reason = reason
    }

    public var description: String {
        if let tensor { return "\(path): tensor '\(tensor)': \(reason)" }
        return "\(path): \(reason)"
    }
}

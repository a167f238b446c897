/// Namespace for the f32 compute kernels. Inputs may be any f32 tensors (views are made
/// contiguous when a kernel needs it); outputs are fresh contiguous f32 tensors.
public enum Kernels {}

extension Tensor {
    /// Precondition helper: kernels compute in f32.
    @inline(__always)
    func requireF32(_ what: String) {
        precondition(dtype == .f32, "\(what) needs an f32 tensor, got \(dtype) (convert with converted(to: .f32))")
    }
}

import FlowKit

/// The denoiser node family.
public enum DenoiserNodes {
    public static var types: [any Node.Type] { [DenoiserNode.self, NoiseControllerNode.self] }
}

import FlowKit

/// The VAE node family.
public enum VAENodes {
    public static var types: [any Node.Type] { [VAEDecoderNode.self, VAEEncoderNode.self] }
}

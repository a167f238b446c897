/// A denoiser split by layers (StreamDiffusionV2's pipeline across devices): `denoiser.block` runs the first
/// layers of each model call and sends the hidden state on to `denoiser.layers`, which runs the rest and the
/// output head and answers with a `LayerReply`. They live in FlowKit because the edge between them may cross
/// MPI ranks, and the runtime encodes what crosses. Port type `layer_request`.
public struct LayerRequest: PortPayload {
    public static var portType: PortType { "layer_request" }

    /// Block index, and the call's number within the run (the reply carries it back).
    public var block: Int
    public var call: Int
    /// Hidden state after the sender's layers, `[tokens, width]`, and the per-frame modulation input
    /// silu(timestep embedding), `[frames, width]`.
    public var hidden: Tensor
    public var modulation: Tensor
    /// Absolute frame positions (the attention mask), and where RoPE puts each frame.
    public var positions: [Int]
    public var rotaryPositions: [Int]
    /// Frames per block of a block-causal mask (a re-cache pass); 0: no mask.
    public var blockCausalFrames: Int
    /// Whether the K/V returned are the keys before RoPE (a position-free cache) or rotated.
    public var keysRotated: Bool
    /// Which prompt's cross-attention K/V the call uses (a key the sender chooses, e.g. the prompt generation;
    /// -1 for the empty prompt of guidance), and those K/V per receiving layer the first time the key is used
    /// (empty afterwards: the receiver keeps them).
    public var textKey: Int
    public var textKeys: [Tensor]
    public var textValues: [Tensor]
    /// The cached K/V prefix per receiving layer: nil when this call uses the same prefix as the previous one,
    /// an empty list when there is none.
    public var prefixKeys: [Tensor]?
    public var prefixValues: [Tensor]?
    /// Whether the reply carries the velocity (a denoising step) or the K/V of the call's frames (a t = 0 pass).
    public var wantsVelocity: Bool

    public init(block: Int, call: Int, hidden: Tensor, modulation: Tensor, positions: [Int], rotaryPositions: [Int],
                blockCausalFrames: Int, keysRotated: Bool, textKey: Int, textKeys: [Tensor], textValues: [Tensor],
                prefixKeys: [Tensor]?, prefixValues: [Tensor]?, wantsVelocity: Bool) {
        self.block = block
        self.call = call
        self.hidden = hidden
        self.modulation = modulation
        self.positions = positions
        self.rotaryPositions = rotaryPositions
        self.blockCausalFrames = blockCausalFrames
        self.keysRotated = keysRotated
        self.textKey = textKey
        self.textKeys = textKeys
        self.textValues = textValues
        self.prefixKeys = prefixKeys
        self.prefixValues = prefixValues
        self.wantsVelocity = wantsVelocity
    }
}

/// What `denoiser.layers` answers a `LayerRequest` with. Port type `layer_reply`.
public struct LayerReply: PortPayload {
    public static var portType: PortType { "layer_reply" }

    public var block: Int
    public var call: Int
    /// The model's output, `[frames, channels, height, width]`, when the request wanted it.
    public var velocity: Tensor?
    /// Otherwise the K/V of the call's frames in the receiving layers, `[heads, tokens, headDim]` each.
    public var keys: [Tensor]
    public var values: [Tensor]

    public init(block: Int, call: Int, velocity: Tensor?, keys: [Tensor], values: [Tensor]) {
        self.block = block
        self.call = call
        self.velocity = velocity
        self.keys = keys
        self.values = values
    }
}

/// One prompt as the model sees it: [CLS] word pieces [SEP], never padded.
public struct TokenizedText: Sendable, Hashable {
    public var ids: [Int32]
    /// 1 for every real token. Single sequences are unpadded, so it is all ones; batching pads
    /// and builds its own mask from the lengths.
    public var attentionMask: [Int32]
    /// True when word pieces were dropped to fit `maxTokens`.
    public var truncated: Bool

    public var count: Int { ids.count }
    /// True when the text held no word pieces at all (empty, whitespace or control characters only).
    public var isEmpty: Bool { ids.count <= 2 }
}

/// What the node and the embed command refuse before encoding.
public struct EmptyPrompt: Error, CustomStringConvertible, Sendable {
    /// Where it came from ("packet at position 3", "text 2"), for the message.
    public let origin: String
    public var description: String {
        "\(origin): the prompt is empty (no words after removing whitespace and control characters); give it some text"
    }
}

extension TokenizedText {
    /// A prompt with no word pieces would steer the video with the bare [CLS] [SEP] embedding.
    func requireWords(origin: String) throws {
        if isEmpty { throw EmptyPrompt(origin: origin) }
    }
}

/// The BERT uncased tokenizer of all-MiniLM-L6-v2: special-token splitting, normalisation,
/// pre-tokenisation, WordPiece, [CLS]/[SEP] and truncation, matching HuggingFace `tokenizers`.
public struct BertTokenizer: Sendable {
    public let vocabulary: WordPieceVocabulary
    /// Sequence length limit including [CLS] and [SEP]: 256 for all-MiniLM-L6-v2.
    public let maxTokens: Int
    private let wordPiece: WordPiece

    /// Literal special tokens in the input become their ids before normalisation, as in the
    /// reference (its added tokens are not normalised, so the match is case-sensitive).
    private let specialTokens: [(text: [Unicode.Scalar], id: Int32)]

    public init(vocabulary: WordPieceVocabulary, maxTokens: Int = 256) {
        precondition(maxTokens >= 2, "maxTokens must leave room for [CLS] and [SEP]")
        self.vocabulary = vocabulary
        self.maxTokens = maxTokens
        wordPiece = WordPiece(vocabulary: vocabulary)
        specialTokens = [
            ("[PAD]", vocabulary.padID), ("[UNK]", vocabulary.unknownID), ("[CLS]", vocabulary.classifierID),
            ("[SEP]", vocabulary.separatorID), ("[MASK]", vocabulary.maskID),
        ].map { (Array($0.0.unicodeScalars), $0.1) }
    }

    public func encode(_ text: String) -> TokenizedText {
        let budget = maxTokens - 2
        var pieces: [Int32] = []
        // One past the budget is enough to know that truncation happened; a 100 kB prompt stops early.
        var overflow = false
        for segment in splitOnSpecialTokens(text) {
            switch segment {
            case .special(let id):
                pieces.append(id)
            case .text(let range):
                let scalars = text.unicodeScalars[range]
                for word in BertPreTokenizer.words(BertNormalizer.normalize(scalars)) {
                    wordPiece.pieces(of: word, into: &pieces)
                    if pieces.count > budget { break }
                }
            }
            if pieces.count > budget { overflow = true; break }
        }
        if overflow { pieces.removeSubrange(budget...) }
        let ids = [vocabulary.classifierID] + pieces + [vocabulary.separatorID]
        return TokenizedText(ids: ids, attentionMask: Array(repeating: 1, count: ids.count), truncated: overflow)
    }

    private enum Segment {
        case text(Range<String.UnicodeScalarView.Index>)
        case special(Int32)
    }

    /// Cuts the text at literal special tokens (leftmost, then longest match).
    private func splitOnSpecialTokens(_ text: String) -> [Segment] {
        let scalars = text.unicodeScalars
        // Fast path: every special token starts with "[".
        guard scalars.contains("[") else { return [.text(scalars.startIndex..<scalars.endIndex)] }
        var segments: [Segment] = []
        var textStart = scalars.startIndex
        var i = scalars.startIndex
        while i < scalars.endIndex {
            if scalars[i] == "[", let (id, end) = specialToken(at: i, in: scalars) {
                if textStart < i { segments.append(.text(textStart..<i)) }
                segments.append(.special(id))
                i = end
                textStart = end
            } else {
                i = scalars.index(after: i)
            }
        }
        if textStart < scalars.endIndex { segments.append(.text(textStart..<scalars.endIndex)) }
        return segments
    }

    private func specialToken(at start: String.UnicodeScalarView.Index, in scalars: String.UnicodeScalarView)
        -> (Int32, String.UnicodeScalarView.Index)? {
        var best: (Int32, String.UnicodeScalarView.Index, Int)? = nil
        for token in specialTokens {
            var i = start
            var matched = true
            for s in token.text {
                guard i < scalars.endIndex, scalars[i] == s else { matched = false; break }
                i = scalars.index(after: i)
            }
            if matched, token.text.count > (best?.2 ?? 0) { best = (token.id, i, token.text.count) }
        }
        return best.map { ($0.0, $0.1) }
    }
}

/// Splits normalised text into words: whitespace separates and disappears, every punctuation
/// scalar becomes a word of its own (as `tokenizers`' BertPreTokenizer).
enum BertPreTokenizer {
    static func words(_ scalars: [Unicode.Scalar]) -> [ArraySlice<Unicode.Scalar>] {
        var words: [ArraySlice<Unicode.Scalar>] = []
        var start: Int? = nil
        for (i, s) in scalars.enumerated() {
            if BertCharacterClasses.isWhitespace(s) {
                if let b = start { words.append(scalars[b..<i]); start = nil }
            } else if BertCharacterClasses.isPunctuation(s) {
                if let b = start { words.append(scalars[b..<i]); start = nil }
                words.append(scalars[i..<i + 1])
            } else if start == nil {
                start = i
            }
        }
        if let b = start { words.append(scalars[b..<scalars.count]) }
        return words
    }
}

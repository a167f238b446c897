/// Greedy longest-match-first WordPiece, as `tokenizers`' WordPiece model: a word that cannot be
/// covered entirely, or that is longer than `maxCharactersPerWord` scalars, becomes one [UNK].
struct WordPiece: Sendable {
    let vocabulary: WordPieceVocabulary
    var maxCharactersPerWord = 100

    func pieces(of word: ArraySlice<Unicode.Scalar>, into ids: inout [Int32]) {
        guard word.count <= maxCharactersPerWord else {
            ids.append(vocabulary.unknownID)
            return
        }
        let chars = Array(word)
        var found: [Int32] = []
        var start = 0
        while start < chars.count {
            var end = chars.count
            var match: Int32? = nil
            let table = start == 0 ? vocabulary.wordStarts : vocabulary.continuations
            while end > start {
                if let id = table[Array(chars[start..<end])] { match = id; break }
                end -= 1
            }
            guard let id = match else {
                ids.append(vocabulary.unknownID)
                return
            }
            found.append(id)
            start = end
        }
        ids.append(contentsOf: found)
    }
}

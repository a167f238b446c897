import TextEncoderNodes

/// Distinct prompts that tokenize to exactly `tokens` ids (with [CLS] and [SEP]), so Swift and
/// torch run the same shapes and a batch has no padding.
enum BenchPrompts {
    static let words = ["red", "circle", "drifts", "right", "over", "a", "dark", "blue", "background", "the",
                        "square", "bounces", "slowly", "green", "yellow", "star", "spins", "left", "grey", "box"]

    static func make(count: Int, tokens: Int, tokenizer: BertTokenizer) -> [String] {
        // Only words that are one WordPiece token each, so tokens - 2 words give exactly `tokens`.
        let words = words.filter { tokenizer.encode($0).ids.count == 3 }
        return (0..<count).map { i in
            var picked: [String] = []
            var k = i
            while picked.count < tokens - 2 {
                picked.append(words[(k * 7 + picked.count * 3) % words.count])
                k += 1
            }
            let text = picked.joined(separator: " ")
            precondition(tokenizer.encode(text).ids.count == tokens, "bench prompt is not \(tokens) tokens")
            return text
        }
    }
}

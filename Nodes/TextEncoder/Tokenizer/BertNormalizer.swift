import Foundation

/// BERT uncased normalisation, step for step as `tokenizers`' BertNormalizer with clean_text,
/// handle_chinese_chars and lowercase on (accent stripping follows lowercase).
/// Works on Unicode scalars, never on Swift `Character`s: the reference counts code points.
enum BertNormalizer {
    static func normalize(_ text: Substring.UnicodeScalarView) -> [Unicode.Scalar] {
        var cleaned: [Unicode.Scalar] = []
        cleaned.reserveCapacity(text.count + 8)
        for s in text where !BertCharacterClasses.isRemovedByCleaning(s) {
            if BertCharacterClasses.isWhitespace(s) {
                cleaned.append(" ")
            } else if BertCharacterClasses.isCJKIdeograph(s) {
                cleaned.append(" ")
                cleaned.append(s)
                cleaned.append(" ")
            } else {
                cleaned.append(s)
            }
        }
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(cleaned.count)
        for s in decomposed(cleaned) where !BertCharacterClasses.isNonspacingMark(s) {
            if s.isASCII {
                // The common case, without building a String per scalar.
                out.append(("A"..."Z").contains(s) ? Unicode.Scalar(s.value + 32)! : s)
            } else {
                out.append(contentsOf: s.properties.lowercaseMapping.unicodeScalars)
            }
        }
        return out
    }

    /// Canonical decomposition (NFD); ASCII-only text is already decomposed.
    private static func decomposed(_ scalars: [Unicode.Scalar]) -> [Unicode.Scalar] {
        if scalars.allSatisfy(\.isASCII) { return scalars }
        var text = String()
        text.unicodeScalars.append(contentsOf: scalars)
        return Array(text.decomposedStringWithCanonicalMapping.unicodeScalars)
    }
}

/// Character classes exactly as HuggingFace `tokenizers` (BertNormalizer, BertPreTokenizer) sees them.
///
/// `tokenizers` takes general categories from the `unicode_categories` crate, whose tables are
/// Unicode 8.0, while Swift's are current. So a category test counts only scalars assigned by
/// Unicode 8.0, plus the few scalars whose category changed since. Both facts were measured by
/// running every code point through `tokenizers` (see Training/make_tokenizer_fixtures.py).
enum BertCharacterClasses {
    /// Removed by `clean_text`: NUL, U+FFFD, and "other" (Cc, Cf, Co) except tab, newline, return.
    /// Unassigned scalars (Cn) are kept: the crate's Cn test never fires.
    static func isRemovedByCleaning(_ s: Unicode.Scalar) -> Bool {
        if s.value == 0 || s.value == 0xFFFD { return true }
        if s == "\t" || s == "\n" || s == "\r" { return false }
        switch s.properties.generalCategory {
        case .control, .privateUse: return true
        case .format: return assignedByUnicode8(s)
        default: return false
        }
    }

    /// Whitespace for cleaning and splitting: the Unicode White_Space property (Rust's `char::is_whitespace`).
    static func isWhitespace(_ s: Unicode.Scalar) -> Bool {
        s.properties.isWhitespace
    }

    /// The CJK ideograph blocks BERT surrounds with spaces. The gap 2B820...2B91F is deliberate:
    /// `tokenizers` starts its sixth range at 2B920, and we match it.
    static func isCJKIdeograph(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xF900...0xFAFF, 0x20000...0x2A6DF, 0x2A700...0x2B81F,
             0x2B920...0x2CEAF, 0x2F800...0x2FA1F:
            return true
        default:
            return false
        }
    }

    /// Nonspacing marks (Mn) that accent stripping removes after NFD.
    static func isNonspacingMark(_ s: Unicode.Scalar) -> Bool {
        if oldNonspacingMarks.contains(s.value) { return true }
        if newNonspacingMarks.contains(s.value) { return false }
        return s.properties.generalCategory == .nonspacingMark && assignedByUnicode8(s)
    }

    /// Punctuation the pre-tokenizer isolates: all ASCII punctuation (including symbols like `$+<=>^|~`)
    /// and Unicode 8.0 punctuation categories (Pc Pd Ps Pe Pi Pf Po).
    static func isPunctuation(_ s: Unicode.Scalar) -> Bool {
        if s.isASCII {
            let v = s.value
            return (0x21...0x2F).contains(v) || (0x3A...0x40).contains(v) || (0x5B...0x60).contains(v)
                || (0x7B...0x7E).contains(v)
        }
        if oldPunctuation.contains(s.value) { return true }
        switch s.properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
             .initialPunctuation, .finalPunctuation, .otherPunctuation:
            return assignedByUnicode8(s)
        default:
            return false
        }
    }

    private static func assignedByUnicode8(_ s: Unicode.Scalar) -> Bool {
        guard let age = s.properties.age else { return false }
        return age.major < 8 || (age.major == 8 && age.minor == 0)
    }

    // Scalars whose category changed after Unicode 8.0, so today's tables disagree with `tokenizers`.
    /// Mn in Unicode 8.0, spacing marks (Mc) today.
    private static let oldNonspacingMarks: Set<UInt32> = [0x1734, 0x1171E]
    /// Not Mn in Unicode 8.0, Mn today (U+111C9 was punctuation).
    private static let newNonspacingMarks: Set<UInt32> = [0x1885, 0x1886, 0xA9BD, 0x111C9]
    /// Punctuation in Unicode 8.0, something else today.
    private static let oldPunctuation: Set<UInt32> = [0x166D, 0x111C9]
}

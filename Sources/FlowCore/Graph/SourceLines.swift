/// A file's lines as YAML counts them: a line ends at "\n", "\r\n", a lone "\r", NEL, LS or PS.
/// Positions come from libyaml, so quoting the line a diagnostic points at must split where it does;
/// splitting on "\n" alone put the caret on the wrong line of a file with old Mac line ends.
enum SourceLines {
    static func split(_ text: String) -> [Substring] {
        // Scanned as UTF-8 bytes: walking Characters cost a noticeable part of checking a large file.
        let bytes = text.utf8
        var lines: [Substring] = []
        var lineStart = bytes.startIndex
        var i = bytes.startIndex
        while i != bytes.endIndex {
            let breakLength = lineBreakLength(bytes, at: i)
            if breakLength > 0 {
                lines.append(text[lineStart..<i])
                i = bytes.index(i, offsetBy: breakLength)
                lineStart = i
            } else {
                i = bytes.index(after: i)
            }
        }
        lines.append(text[lineStart..<bytes.endIndex])
        return lines
    }

    /// How many bytes the line break at `i` takes ("\r\n" is one break), or 0 when there is none.
    static func lineBreakLength<Bytes: Collection<UInt8>>(_ bytes: Bytes, at i: Bytes.Index) -> Int {
        func byte(_ offset: Int) -> UInt8? {
            guard let j = bytes.index(i, offsetBy: offset, limitedBy: bytes.endIndex), j != bytes.endIndex else { return nil }
            return bytes[j]
        }
        switch bytes[i] {
        case 0x0A: return 1
        case 0x0D: return byte(1) == 0x0A ? 2 : 1
        case 0xC2: return byte(1) == 0x85 ? 2 : 0
        case 0xE2: return byte(1) == 0x80 && (byte(2) == 0xA8 || byte(2) == 0xA9) ? 3 : 0
        default: return 0
        }
    }

    /// The place just after the last character, where a "found the end of the file" error belongs.
    static func end(of text: String, file: String) -> SourceLocation {
        let lines = split(text)
        return SourceLocation(file: file, line: lines.count, column: (lines.last?.unicodeScalars.count ?? 0) + 1)
    }
}

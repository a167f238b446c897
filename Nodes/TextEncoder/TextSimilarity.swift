import FlowKit

/// `flowrun embed "a" "b" ...`: embeds texts and shows how close they are, so users can see why a
/// prompt switch does (or does not) change the video.
public enum TextSimilarity {
    public struct NoTexts: Error, CustomStringConvertible, Sendable {
        public var description: String { "give at least one text to embed, e.g. flowrun embed \"a red circle\" \"a crimson disc\"" }
    }

    /// Embeds `texts` with the text model (found as `ModelLocator` says, or at `modelPath`) and
    /// returns a printable report: the numbered texts and their cosine similarity matrix.
    public static func report(_ texts: [String], modelPath: String? = nil) throws -> String {
        guard !texts.isEmpty else { throw NoTexts() }
        let model = try TextEncoderModel.locateAndLoad(explicit: modelPath)
        for (i, text) in texts.enumerated() {
            try model.tokenizer.encode(text).requireWords(origin: "text \(i + 1)")
        }
        let embeddings = try model.embed(texts)
        return format(embeddings, matrix: matrix(embeddings))
    }

    /// The same for raw command-line bytes (`CommandLine.unsafeArgv`), so that an argument that is
    /// not UTF-8 is reported with its position instead of being silently repaired.
    public static func report(utf8Texts: [[UInt8]], modelPath: String? = nil) throws -> String {
        var texts: [String] = []
        for (i, bytes) in utf8Texts.enumerated() {
            do { texts.append(try UTF8Text.decode(bytes)) } catch { throw TextError(description: "text \(i + 1): \(error)") }
        }
        return try report(texts, modelPath: modelPath)
    }

    public struct TextError: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    /// Cosine similarities between every pair of sentence embeddings.
    public static func matrix(_ embeddings: [TextEmbedding]) -> [[Float]] {
        embeddings.map { a in embeddings.map { b in a.cosine(b) } }
    }

    static func format(_ embeddings: [TextEmbedding], matrix: [[Float]]) -> String {
        let width = 44
        var lines: [String] = []
        for (i, e) in embeddings.enumerated() {
            let note = e.truncated ? "  (truncated to \(e.tokenIDs.count) tokens)" : ""
            lines.append("\(pad(String(i + 1), 3, right: true))  \(e.text)\(note)")
        }
        lines.append("")
        lines.append("cosine similarity of the sentence embeddings (1 = same meaning):")
        var header = String(repeating: " ", count: width + 5)
        for j in embeddings.indices { header += pad(String(j + 1), 7, right: true) }
        lines.append(header)
        for (i, row) in matrix.enumerated() {
            var line = pad(String(i + 1), 3, right: true) + "  " + pad(shortened(embeddings[i].text, width), width, right: false)
            for value in row { line += pad(fixed3(value), 7, right: true) }
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }

    private static func shortened(_ text: String, _ width: Int) -> String {
        let flat = text.map { $0.isNewline || $0 == "\t" ? " " : $0 }
        return flat.count <= width ? String(flat) : String(flat.prefix(width - 1)) + "…"
    }

    private static func pad(_ s: String, _ width: Int, right: Bool) -> String {
        let fill = String(repeating: " ", count: max(0, width - s.count))
        return right ? fill + s : s + fill
    }

    /// Three decimals without Foundation's formatter.
    static func fixed3(_ v: Float) -> String {
        let scaled = Int((Double(v) * 1000).rounded())
        let sign = scaled < 0 ? "-" : ""
        let m = abs(scaled)
        let frac = String(m % 1000)
        return "\(sign)\(m / 1000).\(String(repeating: "0", count: 3 - frac.count))\(frac)"
    }
}

/// `${name}` is not valid inside a YAML flow mapping (`{ model: ${model} }`: braces are flow
/// indicators), yet that is the natural way to write it. Before parsing, each `${name}` is written
/// with private-use characters of the same length, so columns stay right, and restored in scalars.
enum ParamReferenceMasking {
    static let open: [Unicode.Scalar] = ["\u{F8F0}", "\u{F8F1}"]
    static let close: Unicode.Scalar = "\u{F8F2}"

    static func mask(_ text: String) -> String {
        guard text.contains("${") else { return text }
        let scalars = Array(text.unicodeScalars)
        // Built as an array and converted once: appending to a String piece by piece copied it each
        // time, which made a file of many references take seconds.
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(scalars.count)
        var i = 0
        while i < scalars.count {
            if scalars[i] == "$", i + 1 < scalars.count, scalars[i + 1] == "{" {
                var j = i + 2
                while j < scalars.count, isNameScalar(scalars[j]) { j += 1 }
                if j < scalars.count, scalars[j] == "}", j > i + 2 {
                    out += open
                    out += scalars[(i + 2)..<j]
                    out.append(close)
                    i = j + 1
                    continue
                }
            }
            out.append(scalars[i])
            i += 1
        }
        var text = String.UnicodeScalarView()
        text.append(contentsOf: out)
        return String(text)
    }

    static func unmask(_ s: String) -> String {
        guard s.unicodeScalars.contains(open[0]) else { return s }
        let scalars = Array(s.unicodeScalars)
        var out = String.UnicodeScalarView()
        var i = 0
        while i < scalars.count {
            if scalars[i] == open[0], i + 1 < scalars.count, scalars[i + 1] == open[1] {
                out.append("$")
                out.append("{")
                i += 2
                continue
            }
            out.append(scalars[i] == close ? "}" : scalars[i])
            i += 1
        }
        return String(out)
    }

    static func isNameScalar(_ c: Unicode.Scalar) -> Bool {
        c == "_" || c == "-" || c == "." || (c.isASCII && (c.properties.isAlphabetic || ("0"..."9").contains(c)))
    }
}

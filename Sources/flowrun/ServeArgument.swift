/// `--serve` takes an optional value (`--serve` alone, or `--serve 127.0.0.1:8080`), which
/// ArgumentParser options cannot: a bare `--serve` becomes `--serve=127.0.0.1:0` before parsing.
/// The next argument is its value only when it looks like an address (`HOST:PORT`, `:PORT`, `PORT`),
/// so `flowrun --serve Graphs/x.yaml` still reads the graph.
enum ServeArgument {
    static func normalize(_ arguments: [String]) -> [String] {
        var out: [String] = []
        var i = 0
        while i < arguments.count {
            let a = arguments[i]
            if a == "--" { out += arguments[i...]; break }
            if a == "--serve" {
                if i + 1 < arguments.count, looksLikeAddress(arguments[i + 1]) {
                    out.append("--serve=" + arguments[i + 1])
                    i += 2
                    continue
                }
                out.append("--serve=127.0.0.1:0")
            } else {
                out.append(a)
            }
            i += 1
        }
        return out
    }

    static func looksLikeAddress(_ s: String) -> Bool {
        if !s.isEmpty, s.allSatisfy(\.isNumber) { return true }
        guard let colon = s.lastIndex(of: ":") else { return false }
        let port = s[s.index(after: colon)...]
        return !port.isEmpty && port.allSatisfy(\.isNumber) && !s.contains("/")
    }
}

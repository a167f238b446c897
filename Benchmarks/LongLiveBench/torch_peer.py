"""Torch peer for LongLiveBench: Training/sample.py's Generator (the same block loop: 4 steps + the t = 0
pass, sink + window cache) on the same world-tiny weights, f32 and bf16 autocast, timed per block.

    python3 Benchmarks/LongLiveBench/torch_peer.py MODEL_DIR BLOCKS THREADS  -> one JSON line
"""
import json
import os
import sys
import time

import numpy as np
import torch

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(REPO, "Training"))
from models import Denoiser  # noqa: E402
from reference import load_safetensors  # noqa: E402
import sample  # noqa: E402


class FixedText:
    """Text states of a fixed length: the text encoder is not what is being compared."""
    def encode(self, prompt):
        rng = np.random.default_rng(len(prompt))
        return (0.3 * rng.standard_normal((12, 384))).astype(np.float32)


def main():
    model_dir, blocks, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    torch.set_num_threads(threads)
    cfg = json.load(open(os.path.join(model_dir, "config.json")))["denoiser"]
    m = Denoiser(dim=cfg["dim"], depth=cfg["depth"], heads=cfg["heads"])
    m.load_state_dict({k: torch.from_numpy(v.astype(np.float32)) for k, v in
                       load_safetensors(os.path.join(model_dir, cfg["file"])).items() if k != "null_text"})
    m.eval()
    stats = {"mean": torch.tensor(cfg["latent_mean"]), "std": torch.tensor(cfg["latent_std"])}
    s = cfg["sampler"]
    g = sample.Generator(m, None, stats, FixedText(), sink=s["sink_frames"], window=s["window_frames"],
                         block=s["block_frames"], steps=s["steps"], shift=s["shift"],
                         cfg_scale=s.get("guidance", 1.0))
    out = {}
    for name, ctx in (("f32", None), ("bf16", torch.bfloat16)):
        def run(n):
            if ctx is None:
                return g.generate([(0, "a red circle moves right")], n)
            with torch.autocast("cpu", dtype=ctx):
                return g.generate([(0, "a red circle moves right")], n)
        run(2)                                    # warm-up
        t0 = time.perf_counter()
        run(blocks)
        out[name + "_block_ms"] = 1000 * (time.perf_counter() - t0) / blocks
    out["torch"] = torch.__version__
    out["threads"] = threads
    print(json.dumps(out))


if __name__ == "__main__":
    main()

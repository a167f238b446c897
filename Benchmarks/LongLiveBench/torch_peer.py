"""Torch peer for LongLiveBench: Training/sample.py's Generator (the same block loop: 4 steps + the t = 0
pass, sink + window cache) on the same world-tiny weights, f32 and bf16 autocast, timed per block.

    python3 Benchmarks/LongLiveBench/torch_peer.py MODEL_DIR BLOCKS THREADS  -> one JSON line
"""
import json
import os
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_end_to_end import FixedText, load  # noqa: E402  (the same weights and text stand-in)
import sample  # noqa: E402  (torch_end_to_end put Training/ on the path)


def main():
    model_dir, blocks, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    torch.set_num_threads(threads)
    config, m, _ = load(model_dir)
    cfg = config["denoiser"]
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

"""Prepare what a GPU machine needs that the git tree does not hold: Training/data/gpu_carry/ (git-ignored, carried
with the device tool's `carry: ["Training/data/gpu_carry"]`; limit 64 MiB for all carried paths together).

    python3 Training/gpu_prepare.py        # [--vae Training/runs/pinned/vae2.pt] [--stats Training/runs/denoiser_v2/latent_stats.pt]

Writes
  minilm_world.safetensors, vocab.txt   MiniLM pruned to the world's tokens, f32 (minilm_lite.py --build; checked against
                                        the package on random prompts of every vocabulary)
  vae2.pt                               the v2 VAE's weights only (step, model, cfg; the optimizer state dropped)
  latent_stats.pt                       the latent statistics the CPU denoiser_v2 run computed for that VAE
and prints the sizes.  Everything else (the shipped denoiser and drafter to start from) comes from Models/world-tiny,
which is tracked, so it travels without carrying.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil

import torch

import common
import minilm_lite

LIMIT = 64 * 1024 * 1024


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=minilm_lite.DEFAULT_DIR)
    ap.add_argument("--vae", default=os.path.join(common.HERE, "runs", "pinned", "vae2.pt"))
    ap.add_argument("--stats", default=os.path.join(common.HERE, "runs", "denoiser_v2", "latent_stats.pt"))
    ap.add_argument("--skip_check", action="store_true", help="do not compare the pruned MiniLM with the package")
    a = ap.parse_args()
    torch.set_num_threads(1)
    os.makedirs(a.out, exist_ok=True)
    if not os.path.exists(os.path.join(a.out, minilm_lite.FILE)):
        minilm_lite.build(a.out)
    if not a.skip_check:
        minilm_lite.check(100, os.path.join(a.out, minilm_lite.FILE))
    st = torch.load(a.vae, map_location="cpu", weights_only=False)
    torch.save(dict(step=st["step"], model=st["model"], cfg=st.get("cfg", {}), source=os.path.relpath(a.vae, common.REPO)),
               os.path.join(a.out, "vae2.pt"))
    if a.stats and os.path.exists(a.stats):
        shutil.copyfile(a.stats, os.path.join(a.out, "latent_stats.pt"))
    sizes = {f: os.path.getsize(os.path.join(a.out, f)) for f in sorted(os.listdir(a.out))}
    total = sum(sizes.values())
    print(json.dumps(dict(dir=os.path.relpath(a.out, common.REPO), files=sizes, total_bytes=total,
                          total_mib=round(total / 2 ** 20, 2), carry_limit_mib=64, fits=total < LIMIT), indent=1))
    assert total < LIMIT, "the carried folder is over the device tool's 64 MiB"


if __name__ == "__main__":
    main()

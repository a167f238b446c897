"""Measure a VAE on real clips of the world: PSNR of the reconstruction, and the analyzer's judgement of the
reconstruction next to its judgement of the original frames (the analyzer's own ceiling).

    python3 Training/eval_vae.py --ckpt Training/runs/vae2/latest.pt --n 40          # a training checkpoint
    python3 Training/eval_vae.py --model Models/world-tiny --n 40                     # a shipped export

Clips are 10 s scripts with switches (25% two-object) from seeds 12,000,000+ (never used in training, which draws
seeds below 1,000,000; train_vae.py's own PSNR check uses 10,000,000+).  Use --seed0 to pick another suite.
"""
from __future__ import annotations

import argparse
import json
import math
import os

import numpy as np
import torch

import analyzer
import common
import world
from models import VAE

SEED0 = 12_000_000


def load_vae(ckpt: str | None, model_dir: str | None) -> VAE:
    if ckpt:
        st = torch.load(ckpt, map_location="cpu", weights_only=False)
        vae = VAE()
        vae.load_state_dict(st["model"])
        return vae
    from import_shipped import import_vae
    st = import_vae(model_dir, json.load(open(os.path.join(model_dir, "config.json"))))
    vae = VAE()
    vae.load_state_dict(st["model"])
    return vae


@torch.no_grad()
def reconstruct(vae: VAE, frames_u8: np.ndarray) -> np.ndarray:
    v = torch.from_numpy(frames_u8).float().div(127.5).sub(1.0).permute(0, 3, 1, 2)[None].contiguous()
    z, _ = vae.encoder(v)
    rec, _ = vae.decoder(z)
    out = rec[0].clamp(-1, 1).mul(127.5).add(127.5).round().permute(0, 2, 3, 1).numpy()
    return out.astype(np.uint8)


def psnr_u8(a: np.ndarray, b: np.ndarray) -> float:
    mse = float(np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)) / (255.0 ** 2)
    return 10 * math.log10(1.0 / max(mse, 1e-12))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ckpt", default=None)
    ap.add_argument("--model", default=None, help="a shipped export folder instead of a checkpoint")
    ap.add_argument("--n", type=int, default=40)
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--seed0", type=int, default=SEED0)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--out", default=None)
    a = ap.parse_args()
    if not a.ckpt and not a.model:
        raise SystemExit("eval_vae.py: give --ckpt or --model")
    common.setup_threads(a.threads)
    vae = load_vae(a.ckpt, a.model).eval()
    frames = int(a.seconds * world.FPS) // world.BLOCK_FRAMES * world.BLOCK_FRAMES
    rec_reps, true_reps, psnrs = [], [], []
    for i in range(a.n):
        sc = world.make_script(a.seed0 + i, frames)
        fr = world.render(sc, 0, frames)
        rec = reconstruct(vae, fr)
        psnrs.append(psnr_u8(rec, fr))
        tr = world.truth(sc)
        rec_reps.append(analyzer.score_video(rec, tr))
        true_reps.append(analyzer.score_video(fr, tr))
    res = dict(source=a.ckpt or a.model, n_clips=a.n, seed0=a.seed0, psnr_db=float(np.mean(psnrs)),
               reconstruction=dict(single=analyzer.summarize(rec_reps, 1), two=analyzer.summarize(rec_reps, 2)),
               original=dict(single=analyzer.summarize(true_reps, 1), two=analyzer.summarize(true_reps, 2)))
    s, o = res["reconstruction"]["single"], res["original"]["single"]
    print(f"PSNR {res['psnr_db']:.2f} dB | single-object shape {s['shape']:.3f} (originals {o['shape']:.3f}), "
          f"colour {s['colour']:.3f}, motion {s['motion']:.3f}, windows {s['n_windows']}", flush=True)
    if a.out:
        with open(a.out, "w") as f:
            json.dump(res, f, indent=1)


if __name__ == "__main__":
    main()

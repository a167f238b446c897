"""Rebuild torch checkpoints from a shipped export (Models/world-tiny), so training can resume from what ships
when Training/runs/ did not survive a machine change.

    python3 Training/import_shipped.py --out Training/runs/shipped      # [--model Models/world-tiny]

Writes <out>/vae.pt, <out>/denoiser.pt, <out>/drafter.pt (+ <out>/latent_stats.pt), <out>/reward.pt: the formats
train_vae.py, train_denoiser.py, train_aux.py (--init) and export.py read.  Weights come back from F16, so they are the shipped weights exactly, not
the F32 ones they were rounded from (a difference of ~1e-3 relative, far below what training moves).
"""
from __future__ import annotations

import argparse
import json
import os

import torch

import common
from models import VAE, Denoiser, Reward

try:
    from safetensors.torch import load_file
except ImportError:                 # a machine with torch only (the GPU box): the numpy reader in st_lite
    def load_file(path: str) -> dict:
        import st_lite
        return {k: torch.from_numpy(v) for k, v in st_lite.load_file(path).items()}

TRAIN_KEYS = ("sink_frames", "window_frames", "block_frames", "steps", "shift", "max_trained_position")


def load_weights(path: str, drop=("null_text", "null_sentence")) -> dict:
    return {k: v.float() for k, v in load_file(path).items() if k not in drop}


def import_vae(model_dir: str, cfg: dict) -> dict:
    c = cfg["vae"]
    vae = VAE(ft=c["frames_per_latent"], ch=tuple(c["channels"]), zc=c["latent_channels"])
    vae.load_state_dict(load_weights(os.path.join(model_dir, c["file"])))
    return dict(step=0, model=vae.state_dict(), cfg=vae.cfg, imported_from=model_dir, source=c.get("source"))


def import_denoiser(model_dir: str, cfg: dict, name: str) -> dict:
    c = cfg[name]
    m = Denoiser(dim=c["dim"], depth=c["depth"], heads=c["heads"], pooled_text=c.get("pooled_text", False))
    sd = load_weights(os.path.join(model_dir, c["file"]))
    m.load_state_dict(sd)
    s = c["sampler"]
    stats = dict(mean=torch.tensor(c["latent_mean"]), std=torch.tensor(c["latent_std"]))
    size = {192: "small", 128: "drafter", 256: "base"}[c["dim"]]
    return dict(step=c["training_step"], model=m.state_dict(), ema={k: v.clone() for k, v in m.state_dict().items()},
                cfg=m.cfg, size=size, stats=stats, imported_from=model_dir,
                train=dict(sink=s["sink_frames"], window=s["window_frames"], block=s["block_frames"],
                           steps=s["steps"], shift=s["shift"], max_pos=s["max_trained_position"]))


def import_reward(model_dir: str, cfg: dict) -> dict:
    c = cfg["reward"]
    m = Reward(ft=c["frames"], ch=tuple(c["channels"]), dim=c["dim"], text_dim=c["text_dim"])
    m.load_state_dict(load_weights(os.path.join(model_dir, c["file"])))
    return dict(step=c["training_step"], model=m.state_dict(), cfg=m.cfg, which="reward", imported_from=model_dir,
                eval=c.get("heldout_eval", {}))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default=os.path.join(common.REPO, "Models", "world-tiny"))
    ap.add_argument("--out", default=os.path.join(common.HERE, "runs", "shipped"))
    a = ap.parse_args()
    cfg = json.load(open(os.path.join(a.model, "config.json")))
    os.makedirs(a.out, exist_ok=True)
    vae = import_vae(a.model, cfg)
    torch.save(vae, os.path.join(a.out, "vae.pt"))
    for name in ("denoiser", "drafter"):
        if cfg.get(name, {}).get("missing"):
            continue
        st = import_denoiser(a.model, cfg, name)
        torch.save(st, os.path.join(a.out, f"{name}.pt"))
        if name == "denoiser":
            torch.save(st["stats"], os.path.join(a.out, "latent_stats.pt"))
    if not cfg.get("reward", {}).get("missing"):
        torch.save(import_reward(a.model, cfg), os.path.join(a.out, "reward.pt"))
    print(json.dumps(dict(out=a.out, files=sorted(os.listdir(a.out)))))


if __name__ == "__main__":
    main()

"""Shared training utilities: checkpoints (atomic, resumable), logging, thread setup."""
from __future__ import annotations

import json
import os
import sys
import time

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, HERE)


def setup_threads(n: int):
    torch.set_num_threads(n)
    torch.set_num_interop_threads(1)


def save_ckpt(path_dir: str, state: dict, keep: int = 3):
    os.makedirs(path_dir, exist_ok=True)
    step = state["step"]
    tmp = os.path.join(path_dir, f".tmp_{step}.pt")
    final = os.path.join(path_dir, f"ckpt_{step:08d}.pt")
    torch.save(state, tmp)
    os.replace(tmp, final)
    latest = os.path.join(path_dir, "latest.pt")
    tmpl = os.path.join(path_dir, ".latest.tmp")
    try:
        os.remove(tmpl)
    except FileNotFoundError:
        pass
    os.link(final, tmpl)
    os.replace(tmpl, latest)
    cks = sorted(f for f in os.listdir(path_dir) if f.startswith("ckpt_"))
    for f in cks[:-keep]:
        os.remove(os.path.join(path_dir, f))


def load_latest(path_dir: str):
    p = os.path.join(path_dir, "latest.pt")
    if os.path.exists(p):
        return torch.load(p, map_location="cpu", weights_only=False)
    return None


class Logger:
    def __init__(self, path_dir: str):
        os.makedirs(path_dir, exist_ok=True)
        self.f = open(os.path.join(path_dir, "log.jsonl"), "a")
        self.t0 = time.time()

    def log(self, **kw):
        kw["time"] = round(time.time(), 1)
        line = json.dumps(kw)
        self.f.write(line + "\n")
        self.f.flush()
        print(line, flush=True)

"""Shared training utilities: checkpoints (atomic, resumable), logging, thread setup."""
from __future__ import annotations

import json
import os
import sys
import time

import torch
import torch.utils.data

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


# ------------------------------------------------------------------ devices, time budgets, background data
# Everything below is opt-in: with the defaults (--device auto on a machine without CUDA, --amp off, no --seconds,
# --data_workers 0) the trainers compute exactly what they did before these options existed.
T_START = time.time()          # when the trainer imported this module (the start of a --seconds budget)


def add_runtime_args(ap, workers: bool = True):
    ap.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"],
                    help="auto: cuda when torch sees a GPU, else cpu.  Checkpoints always hold CPU tensors")
    ap.add_argument("--amp", default="off", choices=["off", "bf16"],
                    help="bf16: autocast the forward passes to bfloat16 (meant for CUDA; f32 on CUDA uses TF32)")
    ap.add_argument("--seconds", type=float, default=None,
                    help="wall-clock budget counted from the start of the process (setup included): once it has "
                         "passed, save a checkpoint at the current step and stop")
    if workers:
        ap.add_argument("--data_workers", type=int, default=0,
                        help="render (and text-encode) training data in this many background processes; 0: in the "
                             "training loop, as before (the only mode whose random stream matches older runs)")


def pick_device(name: str = "auto") -> torch.device:
    if name == "auto":
        name = "cuda" if torch.cuda.is_available() else "cpu"
    if name == "cuda" and not torch.cuda.is_available():
        raise SystemExit("--device cuda: torch sees no CUDA device")
    dev = torch.device(name)
    if dev.type == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
        torch.backends.cudnn.benchmark = True
    return dev


def autocast(dev: torch.device, amp: str):
    import contextlib
    if amp == "bf16":
        return torch.autocast(dev.type, dtype=torch.bfloat16)
    return contextlib.nullcontext()


def to_cpu(obj):
    """Tensors (nested in dicts, lists, tuples) moved to the CPU, for checkpoints that load on any machine.
    CPU tensors come back as themselves, so a CPU run saves exactly what it saved before."""
    if isinstance(obj, torch.Tensor):
        return obj.detach().cpu() if obj.device.type != "cpu" else obj
    if isinstance(obj, dict):
        return type(obj)((k, to_cpu(v)) for k, v in obj.items())
    if isinstance(obj, (list, tuple)):
        return type(obj)(to_cpu(v) for v in obj)
    return obj


def to_device(obj, dev):
    if isinstance(obj, torch.Tensor):
        return obj.to(dev, non_blocking=True)
    if isinstance(obj, dict):
        return {k: to_device(v, dev) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(to_device(v, dev) for v in obj)
    return obj


class Deadline:
    """--seconds: passed() turns true once `seconds` have gone by since the process started (T_START)."""

    def __init__(self, seconds: float | None):
        self.end = None if seconds is None else T_START + float(seconds)

    def passed(self) -> bool:
        return self.end is not None and time.time() >= self.end

    def fraction(self) -> float:
        """elapsed share of the budget (0 without one)."""
        if self.end is None:
            return 0.0
        return min(1.0, (time.time() - T_START) / max(self.end - T_START, 1e-9))


class _Stream(torch.utils.data.IterableDataset):
    """Endless items make(rng), each worker with its own numpy generator seeded by (seed, worker id)."""

    def __init__(self, make, seed: int):
        super().__init__()
        self.make, self.seed = make, seed

    def __iter__(self):
        import numpy as np
        info = torch.utils.data.get_worker_info()
        wid = info.id if info is not None else 0
        rng = np.random.default_rng([int(self.seed), wid])
        while True:
            yield self.make(rng)


def worker_stream(make, n_workers: int, seed: int, pin: bool = False, prefetch: int = 4):
    """An endless iterator over make(rng) computed in n_workers background processes (torch DataLoader over an
    IterableDataset; each worker runs torch with one thread).  `make` must be a module-level function (or a
    functools.partial of one) returning tensors / numpy arrays / plain Python values.  Items arrive in whatever
    order the workers finish them, so the stream is not reproducible step for step."""
    assert n_workers > 0
    dl = torch.utils.data.DataLoader(_Stream(make, seed), batch_size=None, num_workers=n_workers,
                                     prefetch_factor=prefetch, persistent_workers=True, pin_memory=pin)
    return iter(dl)

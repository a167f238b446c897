"""Train the world-tiny VAE (deterministic causal video autoencoder, 4x temporal, 8x spatial, 16 channels).

    nice -n 10 python3 Training/train_vae.py --out Training/runs/vae          # resumes from latest.pt

Clips of 16 frames (4 latent frames) rendered on the fly from random scripts; loss = MSE weighted
(1 + 9*object coverage) so shapes are not traded for background, + 1e-4 * mean(z^2), with small Gaussian
noise on the latent before decoding (makes the decoder tolerant of denoiser error).
"""
from __future__ import annotations

import argparse
import functools
import math
import os
import time

import numpy as np
import torch

import common
import world
from models import VAE

HELDOUT_SEED0 = 10_000_000


def make_batch(rng: np.random.Generator, bs: int, frames: int, seed_base: int = 0, seed_range: int = 1_000_000):
    vids, ws = [], []
    for _ in range(bs):
        seed = seed_base + int(rng.integers(seed_range))
        sc = world.make_script(seed, frames=480)
        f0 = int(rng.integers(0, (480 - frames) // 4 + 1)) * 4
        fr, m = world.render(sc, f0, frames, with_masks=True)
        vids.append(fr)
        ws.append(m.max(axis=1))
    v = torch.from_numpy(np.stack(vids)).float().div_(127.5).sub_(1.0).permute(0, 1, 4, 2, 3).contiguous()
    w = torch.from_numpy(np.stack(ws)).float()[:, :, None]
    return v, w


def make_batch_u8(rng: np.random.Generator, bs: int, frames: int):
    """make_batch for background workers: uint8 frames [B, T, H, W, 3] (4x less to move than floats) and the
    coverage weights; to_model() turns them into make_batch's tensors on the training device."""
    vids, ws = [], []
    for _ in range(bs):
        sc = world.make_script(int(rng.integers(1_000_000)), frames=480)
        f0 = int(rng.integers(0, (480 - frames) // 4 + 1)) * 4
        fr, m = world.render(sc, f0, frames, with_masks=True)
        vids.append(fr)
        ws.append(m.max(axis=1))
    return torch.from_numpy(np.stack(vids)), torch.from_numpy(np.stack(ws)).float()[:, :, None]


def to_model(u8, w, dev):
    v = u8.to(dev, non_blocking=True).float().div_(127.5).sub_(1.0).permute(0, 1, 4, 2, 3).contiguous()
    return v, w.to(dev, non_blocking=True)


def edge_loss(rec, v, wt):
    """Mean |difference| of horizontal and vertical pixel differences, [B, T, C, H, W], weighted like the pixel loss."""
    dx = (rec[..., :, 1:] - rec[..., :, :-1]) - (v[..., :, 1:] - v[..., :, :-1])
    dy = (rec[..., 1:, :] - rec[..., :-1, :]) - (v[..., 1:, :] - v[..., :-1, :])
    return (wt[..., :, 1:] * dx.abs()).mean() + (wt[..., 1:, :] * dy.abs()).mean()


def psnr(a, b):
    mse = ((a.clamp(-1, 1) - b) ** 2).mean().item() / 4.0     # [-1,1] -> [0,1] scale
    return 10 * math.log10(1.0 / max(mse, 1e-12))


@torch.no_grad()
def evaluate(vae, n=16, frames=32, dev=None):
    rng = np.random.default_rng(123)
    v, _ = make_batch(rng, n, frames, seed_base=HELDOUT_SEED0)
    if dev is not None:
        v = v.to(dev)
    z, _ = vae.encoder(v)
    rec, _ = vae.decoder(z)
    return psnr(rec, v), z.std().item(), z.abs().mean().item()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(common.HERE, "runs", "vae"))
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--bs", type=int, default=8)
    ap.add_argument("--frames", type=int, default=16)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--steps", type=int, default=1_000_000)
    ap.add_argument("--ckpt_every", type=int, default=200)
    ap.add_argument("--eval_every", type=int, default=200)
    ap.add_argument("--z_noise", type=float, default=0.03)
    ap.add_argument("--init", default=None,
                    help="start from this VAE checkpoint's weights when <out> has no latest.pt (e.g. the shipped "
                         "export rebuilt by import_shipped.py: runs/shipped/vae.pt)")
    ap.add_argument("--edge", type=float, default=0.0,
                    help="weight of a loss on spatial differences (edges), weighted like the pixel loss: sharp "
                         "shape outlines cost little MSE, so a pixel loss alone blurs them")
    ap.add_argument("--decay_step", type=int, default=20000, help="learning rate x0.3 after this step")
    ap.add_argument("--encoder_from", default=None,
                    help="decoder-only fine-tuning: take the (frozen) encoder from this VAE checkpoint, e.g. the "
                         "denoiser's vae_frozen.pt, so the latent space the denoiser learned stays fixed")
    common.add_runtime_args(ap)
    a = ap.parse_args()
    common.setup_threads(a.threads)
    dev = common.pick_device(a.device)
    deadline = common.Deadline(a.seconds)
    torch.manual_seed(0)
    vae = VAE().to(dev)
    params = vae.parameters()
    enc_sd = None
    if a.encoder_from:
        src = torch.load(a.encoder_from, map_location="cpu", weights_only=False)["model"]
        vae.load_state_dict(src)
        enc_sd = {k: v for k, v in src.items() if k.startswith("encoder.")}
        for p in vae.encoder.parameters():
            p.requires_grad_(False)
        params = vae.decoder.parameters()
    # the optimizer is made on the training device; loading its state moves the CPU checkpoint's tensors there
    opt = torch.optim.AdamW(params, lr=a.lr, weight_decay=0.0, betas=(0.9, 0.99))
    step = 0
    st = common.load_latest(a.out)
    if st is None and a.init:
        vae.load_state_dict(torch.load(a.init, map_location="cpu", weights_only=False)["model"])
    if st:
        vae.load_state_dict(st["model"])
        opt.load_state_dict(st["opt"])
        step = st["step"]
    if enc_sd is not None:
        vae.load_state_dict(enc_sd, strict=False)
        vae.encoder.eval()
    log = common.Logger(a.out)
    nparam = sum(p.numel() for p in vae.parameters())
    log.log(event="start", step=step, params=nparam, args=vars(a))
    rng = np.random.default_rng(step + 1)
    stream = None
    if a.data_workers > 0:
        stream = common.worker_stream(functools.partial(make_batch_u8, bs=a.bs, frames=a.frames), a.data_workers,
                                      seed=step + 1, pin=dev.type == "cuda")
    t0 = time.time()
    acc = []

    def checkpoint():
        common.save_ckpt(a.out, common.to_cpu(dict(step=step, model=vae.state_dict(), opt=opt.state_dict(),
                                                   cfg=vae.cfg)))
    while step < a.steps:
        lr = a.lr * min(1.0, (step + 1) / 100)
        if step > a.decay_step:
            lr *= 0.3
        if enc_sd is not None:
            lr *= 0.5
        for g in opt.param_groups:
            g["lr"] = lr
        if stream is None:
            v, w = make_batch(rng, a.bs, a.frames)
            v, w = v.to(dev), w.to(dev)
        else:
            v, w = to_model(*next(stream), dev)
        with common.autocast(dev, a.amp):
            if enc_sd is not None:
                with torch.no_grad():
                    z, _ = vae.encoder(v)
            else:
                z, _ = vae.encoder(v)
            zn = z + a.z_noise * torch.randn_like(z)
            rec, _ = vae.decoder(zn)
        rec, z = rec.float(), z.float()
        wt = 1.0 + 9.0 * w
        lrec = (wt * (rec - v) ** 2).mean()
        if a.edge > 0:
            lrec = lrec + a.edge * edge_loss(rec, v, wt)
        lreg = 1e-4 * (z ** 2).mean()
        loss = lrec + lreg
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_([p for p in vae.parameters() if p.requires_grad], 1.0)
        opt.step()
        step += 1
        acc.append((lrec.item(), psnr(rec.detach(), v)))
        if step % 25 == 0:
            a_ = np.array(acc)
            log.log(step=step, loss=float(a_[:, 0].mean()), train_psnr=float(a_[:, 1].mean()),
                    sec_per_step=(time.time() - t0) / 25, lr=lr)
            acc = []
            t0 = time.time()
        if step % a.eval_every == 0:
            vae.eval()
            p, zs, za = evaluate(vae, dev=dev)
            vae.train()
            log.log(step=step, eval_psnr=p, z_std=zs, z_absmean=za)
        if step % a.ckpt_every == 0:
            checkpoint()
        elif deadline.passed():
            checkpoint()
        if deadline.passed():
            log.log(event="deadline", step=step, seconds=a.seconds)
            break


if __name__ == "__main__":
    main()

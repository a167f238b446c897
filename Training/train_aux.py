"""Train the small auxiliary models: the retrieval descriptor and the reward model.

    nice -n 10 python3 Training/train_aux.py reward --out Training/runs/reward
    nice -n 10 python3 Training/train_aux.py descriptor --out Training/runs/descriptor \
        --vae Training/runs/denoiser/vae_frozen.pt --stats Training/runs/denoiser/latent_stats.pt

reward: contrastive on the world.  A positive is (4 frames of a script, a fresh training phrasing of that
  segment's prompt); a hard negative is the same frames with a prompt whose scene differs in exactly one
  attribute (colour, shape, motion, background, or a second object).  Binary cross-entropy on balanced
  pairs, so sigmoid(logit) is a calibrated P(match) under a 50/50 prior, plus an in-batch CLIP-style
  contrastive term on the positives (coarse alignment).  Frames are augmented with noise
  and blur so generated (VAE-decoded) frames are in distribution.
descriptor: Window Temporal Delta loss (reference §4) over 8 consecutive latent frames of the frozen VAE:
  mean relu(cos(e_t, e_{t-k}) - 0.85), k = 1..3, + 0.1 * |e_t - 2e_{t-1} + e_{t-2}|^2 + reconstruction MSE.
"""
from __future__ import annotations

import argparse
import copy
import functools
import math
import os
import time

import numpy as np
import torch
import torch.nn.functional as F

import common
import world
from models import VAE, Descriptor, Reward


# ------------------------------------------------------------------ reward data
def perturb(seg: world.Segment, rng) -> world.Segment:
    s = copy.deepcopy(seg)
    kinds = ["colour", "shape", "motion", "bg"] + (["drop"] if len(s.objs) == 2 else ["add"])
    k = kinds[int(rng.integers(len(kinds)))]
    i = int(rng.integers(len(s.objs)))
    o = s.objs[i]
    if k == "colour":
        o.colour = world._pick(rng, [c for c in world.COLOUR_NAMES if c not in [x.colour for x in s.objs]])
    elif k == "shape":
        o.shape = world._pick(rng, [x for x in world.SHAPES if x != o.shape])
    elif k == "motion":
        bad = {o.motion, "grow", "shrink"} if o.motion not in ("grow", "shrink") else {o.motion}
        o.motion = world._pick(rng, [m for m in world.MOTIONS if m not in bad])
    elif k == "bg":
        s.bg = world._pick(rng, [b for b in world.BACKGROUND_NAMES if b != s.bg])
    elif k == "drop":
        s.objs = [s.objs[1 - i]]
    else:
        s.objs.append(world._new_obj(rng, avoid_colours=(o.colour,)))
    return s


def reward_batch(rng, te, bs, split="train", seed_base=0, vocabs=None):
    """bs (positive, hard negative) pairs.  vocabs: a tuple of vocabularies to draw each pair's from (uniformly);
    None or one vocabulary: `split` for all, drawing exactly what this function always drew."""
    frames, txts, labels = [], [], []
    for _ in range(bs):
        if vocabs is not None and len(vocabs) > 1:
            split = vocabs[int(rng.integers(len(vocabs)))]
        elif vocabs:
            split = vocabs[0]
        sc = world.make_script(seed_base + int(rng.integers(1_000_000)), 192, split=split)
        f0 = 4 * int(rng.integers(0, 192 // 4))
        seg = sc.segments[sc.segment_at(f0)]
        fr = world.render(sc, f0, 4)
        pos = world.phrase(seg, rng, split)
        neg = world.phrase(perturb(seg, rng), rng, split)
        for p, y in ((pos, 1.0), (neg, 0.0)):
            frames.append(fr)
            txts.append(p)
            labels.append(y)
    v = torch.from_numpy(np.stack(frames)).float().div_(127.5).sub_(1).permute(0, 1, 4, 2, 3).contiguous()
    embs = te.encode_many(txts)
    L = max(e.shape[0] for e in embs)
    t = torch.zeros(len(embs), L, 384)
    m = torch.zeros(len(embs), L, dtype=torch.bool)
    for i, e in enumerate(embs):
        t[i, :e.shape[0]] = torch.from_numpy(e)
        m[i, :e.shape[0]] = True
    return v, t, m, torch.tensor(labels)


def worker_reward_batch(rng, bs, vocabs):
    """reward_batch in a background worker (its own text encoder, textenc.shared)."""
    import textenc
    return reward_batch(rng, textenc.shared(), bs, vocabs=vocabs)


def augment(v, rng):
    N = v.shape[0]
    out = v.clone()
    for i in range(N):
        if rng.random() < 0.5:
            x = out[i]
            out[i] = F.avg_pool2d(x, 3, stride=1, padding=1, count_include_pad=False)
        out[i] += float(rng.uniform(0, 0.08)) * torch.randn_like(out[i])
    return out


def _dev(model):
    return next(model.parameters()).device


@torch.no_grad()
def eval_reward(model, te, n=256, split="heldout"):
    rng = np.random.default_rng(4242)
    v, t, m, y = reward_batch(rng, te, n // 2, split=split, seed_base=20_000_000)
    dev = _dev(model)
    lg = model(v.to(dev), t.to(dev), m.to(dev)).cpu()
    p = torch.sigmoid(lg)
    acc = ((p > 0.5).float() == y).float().mean().item()
    pair = (lg[0::2] > lg[1::2]).float().mean().item()
    # expected calibration error, 10 bins
    bins = torch.clamp((p * 10).long(), max=9)
    ece = 0.0
    for b in range(10):
        s = bins == b
        if s.any():
            ece += s.float().mean().item() * abs(p[s].mean().item() - y[s].mean().item())
    return dict(acc=acc, pairwise=pair, ece=ece)


# ------------------------------------------------------------------ descriptor data
def clip_frames(rng, bs, n_lat=8):
    vids = []
    for _ in range(bs):
        sc = world.make_script(int(rng.integers(1_000_000)), 960)
        f0 = 4 * int(rng.integers(0, (960 - 4 * n_lat) // 4))
        vids.append(world.render(sc, f0, 4 * n_lat))
    return torch.from_numpy(np.stack(vids))


@torch.no_grad()
def latent_clips(vae, stats, rng, bs, n_lat=8, frames=None):
    """frames: uint8 [B, T, H, W, 3] already rendered (clip_frames in a worker); else rendered here with rng."""
    u8 = clip_frames(rng, bs, n_lat) if frames is None else frames
    v = u8.to(_dev(vae)).float().div_(127.5).sub_(1).permute(0, 1, 4, 2, 3).contiguous()
    z, _ = vae.encoder(v)
    return (z - stats["mean"][:, None, None]) / stats["std"][:, None, None]


def wtd_loss(model, z):
    B, T = z.shape[:2]
    flat = z.reshape(B * T, *z.shape[2:])
    e = model(flat)
    rec = model.reconstruct(e)
    lrec = F.mse_loss(rec, flat)
    e = e.reshape(B, T, -1)
    ld = 0.0
    for k in (1, 2, 3):
        cos = (e[:, k:] * e[:, :-k]).sum(-1)
        ld = ld + F.relu(cos - 0.85).mean()
    ld = ld / 3
    lsm = ((e[:, 2:] - 2 * e[:, 1:-1] + e[:, :-2]) ** 2).sum(-1).mean()
    return ld + 0.1 * lsm + lrec, dict(delta=float(ld), smooth=float(lsm), rec=float(lrec))


@torch.no_grad()
def _logits(model, te, n, split, seed_base, seed):
    rng = np.random.default_rng(seed)
    v, t, m, y = reward_batch(rng, te, n // 2, split=split, seed_base=seed_base)
    dev = _dev(model)
    return model(v.to(dev), t.to(dev), m.to(dev)).cpu(), y


def calibrate(model, te, n=512):
    """Platt scaling folded into logit_scale / logit_bias, fitted on training-vocabulary pairs from unseen seeds."""
    lg, y = _logits(model, te, n, "train", 40_000_000, 99)
    a = torch.ones(1, requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    opt = torch.optim.LBFGS([a, b], max_iter=200)

    def closure():
        opt.zero_grad()
        loss = F.binary_cross_entropy_with_logits(a * lg + b, y)
        loss.backward()
        return loss
    opt.step(closure)
    with torch.no_grad():
        dev = _dev(model)
        model.logit_scale.mul_(a[0].to(dev))
        model.logit_bias.mul_(a[0].to(dev)).add_(b[0].to(dev))
    return float(a), float(b)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("which", choices=["reward", "descriptor"])
    ap.add_argument("--out", required=True)
    ap.add_argument("--vae", default=os.path.join(common.HERE, "runs", "denoiser", "vae_frozen.pt"))
    ap.add_argument("--stats", default=os.path.join(common.HERE, "runs", "denoiser", "latent_stats.pt"))
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--bs", type=int, default=32)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--steps", type=int, default=3000)
    ap.add_argument("--ckpt_every", type=int, default=100)
    ap.add_argument("--calibrate", action="store_true", help="reward: Platt-scale the latest checkpoint and save it")
    ap.add_argument("--vocabs", default="train",
                    help="reward: comma-separated vocabularies each training pair is phrased in, drawn uniformly "
                         "(e.g. train,extra); 'heldout' is refused")
    ap.add_argument("--init", default=None,
                    help="start from this checkpoint's weights (e.g. import_shipped.py's reward.pt); ignored on resume")
    common.add_runtime_args(ap)
    a = ap.parse_args()
    common.setup_threads(a.threads)
    dev = common.pick_device(a.device)
    deadline = common.Deadline(a.seconds)
    vocabs = tuple(v for v in a.vocabs.split(",") if v)
    assert "heldout" not in vocabs, "the held-out vocabulary is for evaluation only"
    torch.manual_seed(0)
    te = None
    if a.which == "reward":
        import textenc
        te = textenc.TextEncoder()
        model = Reward()
    else:
        model = Descriptor()
        vst = torch.load(a.vae, map_location="cpu", weights_only=False)
        vae = VAE()
        vae.load_state_dict(vst["model"])
        vae.eval()
        vae.to(dev)
        stats = torch.load(a.stats, map_location="cpu")
        if dev.type != "cpu":
            stats = common.to_device(stats, dev)
    model.to(dev)
    opt = torch.optim.AdamW(model.parameters(), lr=a.lr, weight_decay=0.01)
    step = 0
    st = common.load_latest(a.out)
    if st:
        model.load_state_dict(st["model"])
        opt.load_state_dict(st["opt"])
        step = st["step"]
    elif a.init:
        src = torch.load(a.init, map_location="cpu", weights_only=False)
        assert src["cfg"] == model.cfg, f"--init {a.init}: its config {src['cfg']} differs from {model.cfg}"
        model.load_state_dict(src["model"])         # the optimizer and the schedule start fresh
    log = common.Logger(a.out)
    if a.calibrate:
        model.eval()
        before = eval_reward(model, te)
        ab = calibrate(model, te)
        after = eval_reward(model, te)
        tr = eval_reward(model, te, split="train")
        log.log(event="calibrate", step=step, platt=ab, heldout_before=before, heldout=after, train_vocab=tr)
        st = dict(step=step, model=model.state_dict(), opt=opt.state_dict(), cfg=model.cfg, which=a.which,
                  eval=dict(heldout_paraphrases=after, training_vocabulary_unseen_seeds=tr), calibrated=True)
        torch.save(common.to_cpu(st), os.path.join(a.out, "calibrated.pt"))     # what export.py --reward should ship
        return
    if a.init and not st:
        log.log(event="init", source=a.init, source_step=int(src.get("step", -1)))
    log.log(event="start", step=step, params=sum(p.numel() for p in model.parameters()), args=vars(a))
    rng = np.random.default_rng(7 + step)
    stream = None
    if a.data_workers > 0:
        make = functools.partial(worker_reward_batch, bs=a.bs // 2, vocabs=vocabs) if a.which == "reward" else \
            functools.partial(clip_frames, bs=a.bs // 2)
        stream = common.worker_stream(make, a.data_workers, seed=7 + step, pin=dev.type == "cuda")
    t0 = time.time()
    pool = None

    def checkpoint():
        extra = {}
        if a.which == "reward":
            model.eval()
            extra = eval_reward(model, te)
            model.train()
            log.log(step=step, heldout=extra)
        common.save_ckpt(a.out, common.to_cpu(dict(step=step, model=model.state_dict(), opt=opt.state_dict(),
                                                   cfg=model.cfg, which=a.which, eval=extra)))
    while step < a.steps:
        # cosine schedule over --steps; with --seconds, over whichever of the two runs out first
        prog = step / a.steps if a.seconds is None else max(step / a.steps, deadline.fraction())
        for g in opt.param_groups:
            g["lr"] = a.lr * min(1.0, (step + 1) / 100) * (0.5 * (1 + math.cos(math.pi * prog)))
        if a.which == "reward":
            if stream is None:
                v, t, m, y = reward_batch(rng, te, a.bs // 2, vocabs=vocabs)
            else:
                v, t, m, y = next(stream)
            v, t, m, y = (x.to(dev, non_blocking=True) for x in (v, t, m, y))
            va = augment(v[0::2], rng)                                   # pos/neg rows share frames
            img = model.image_embed(va)
            tx = model.text_embed(t, m)
            lg_pos = model.logit_scale * (img * tx[0::2]).sum(-1) + model.logit_bias
            lg_neg = model.logit_scale * (img * tx[1::2]).sum(-1) + model.logit_bias
            lg = torch.stack([lg_pos, lg_neg], 1).reshape(-1)
            loss = F.binary_cross_entropy_with_logits(lg, y)
            # in-batch contrastive term (CLIP-style) on the positives: gives a coarse alignment signal early
            sim = model.logit_scale * img @ tx[0::2].T
            tgt = torch.arange(sim.shape[0], device=sim.device)
            loss = loss + 0.5 * (F.cross_entropy(sim, tgt) + F.cross_entropy(sim.T, tgt))
            info = dict(acc=float(((lg > 0).float() == y).float().mean()))
        else:
            if pool is None or step % 4 == 0:
                pool = latent_clips(vae, stats, rng, a.bs // 2, frames=None if stream is None else next(stream))
            loss, info = wtd_loss(model, pool)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        step += 1
        if step % 20 == 0:
            log.log(step=step, loss=float(loss), sec_per_step=(time.time() - t0) / 20, **info)
            t0 = time.time()
        if step % a.ckpt_every == 0 or step == a.steps or deadline.passed():
            checkpoint()
        if deadline.passed():
            log.log(event="deadline", step=step, seconds=a.seconds)
            break


if __name__ == "__main__":
    main()

"""Train the block-causal DiT denoiser (or the drafter) on frozen-VAE latents of the synthetic world.

    nice -n 10 python3 Training/train_denoiser.py --out Training/runs/denoiser --vae Training/runs/vae/latest.pt
    nice -n 10 python3 Training/train_denoiser.py --out Training/runs/drafter --size drafter \
        --vae Training/runs/denoiser/vae_frozen.pt --stats Training/runs/denoiser/latent_stats.pt

    # world-tiny v2: pooled sentence conditioning, fine-tuned from the shipped weights (Training/README.md)
    nice -n 5 python3 Training/train_denoiser.py --out Training/runs/denoiser_v2 --init Training/runs/shipped/denoiser.pt \
        --pooled_text --vae Training/runs/shipped/vae.pt

Both resume from <out>/latest.pt.  On first start the VAE checkpoint is copied to <out>/vae_frozen.pt and the
per-channel latent statistics to <out>/latent_stats.pt; later starts use those copies (the export ships the
VAE the denoiser was trained with).

Teacher forcing with clean context, exactly mirroring the streaming loop:
  sequence = clean copy (t = 0, light noise augmentation) of [sink block | segment] + noisy copy of the same frames.
  A noisy block attends [sink (3 frames) | the 6 previous clean frames | itself]; a clean block attends
  [sink | 6 previous clean frames | itself] (this is the t = 0 pass that writes the cache).
  Absolute RoPE frame positions; the segment starts at a random position up to --max_pos so sink distances of
  a minute-long video are seen in training.  Prompt switches inside the window come from the world's scripts.
Loss: flow matching, target v = noise - x0 on the noisy copy; sigma drawn half from the sampler's four levels
(shifted [1000, 750, 500, 250]) and half from shift(U(0,1)).
"""
from __future__ import annotations

import argparse
import functools
import os
import shutil
import time

import numpy as np
import torch

import common
import world
from context_windows import BLOCK, SINK, WINDOW, recache_view, valid_blocks
import textenc
from denoiser_init import load_init, zero_init_gap
from models import VAE, Denoiser, sigma_shift

SIZES = {
    "base": dict(dim=256, depth=8, heads=4),
    "small": dict(dim=192, depth=6, heads=3),
    "drafter": dict(dim=128, depth=4, heads=2),
}
SEG_BLOCKS = 6
N_SCRIPTS = 200_000
SCRIPT_FRAMES = 1344   # 84 s, 336 latent frames
STEPS = [1000, 750, 500, 250]
SHIFT = 5.0


def sampler_sigmas():
    return [sigma_shift(s / 1000.0, SHIFT) for s in STEPS]


def make_script_for_training(seed: int, vocabs: tuple[str, ...] = ("train",), no_switch_p: float = 0.4,
                             two_obj_p: float | None = None) -> world.Script:
    rng = np.random.default_rng(seed + 777)
    if rng.random() < no_switch_p:
        nsw = 0
    else:
        nsw = int(rng.integers(4, SCRIPT_FRAMES // (world.BLOCK_FRAMES * 3)))
    split = vocabs[int(rng.integers(len(vocabs)))]
    assert split != "heldout", "the held-out vocabulary is for evaluation only"
    two = None if two_obj_p is None else bool(rng.random() < two_obj_p)
    return world.make_script(seed, SCRIPT_FRAMES, n_switches=nsw, split=split, two_objects=two)


def draw_sample(rng, max_pos, vocabs=("train",), no_switch_p=0.4, two_obj_p=None):
    """The numpy half of a training sample: a script's frames around a random position.
    -> (clips: uint8 [T, 64, 64, 3] rendered clips, hist: latent frames of the last clip to drop after its
    encoding (the causal encoder's warm-up), pos: latent-frame positions, prompts: each position's prompt)."""
    seed = int(rng.integers(N_SCRIPTS))
    sc = make_script_for_training(seed, vocabs, no_switch_p, two_obj_p)
    S = SEG_BLOCKS * BLOCK
    if rng.random() < 0.4:
        p0 = SINK
    else:
        p0 = BLOCK * int(rng.integers(2, max_pos // BLOCK - SEG_BLOCKS))
    fpl = world.FRAMES_PER_LATENT
    if p0 == SINK:
        clips, hist = [world.render(sc, 0, (SINK + S) * fpl)], 0
    else:
        hist = min(4, p0 - SINK)
        clips = [world.render(sc, 0, SINK * fpl), world.render(sc, (p0 - hist) * fpl, (hist + S) * fpl)]
    pos = list(range(SINK)) + list(range(p0, p0 + S))
    prompts = []
    for p in pos:
        prompts.append(sc.segments[sc.segment_at(p * fpl)].prompt)
    return clips, hist, pos, prompts


def worker_sample(rng, max_pos, vocabs, no_switch_p, two_obj_p):
    """draw_sample in a background worker, plus its prompts' MiniLM states (textenc.shared in that process)."""
    clips, hist, pos, prompts = draw_sample(rng, max_pos, vocabs, no_switch_p, two_obj_p)
    te = textenc.shared()
    uniq = sorted(set(prompts))
    texts = dict(zip(uniq, te.encode_many(uniq)))
    return [torch.from_numpy(c) for c in clips], hist, pos, prompts, texts


class Sampler:
    """Produces training samples: latent frames [F, zc, 8, 8], positions, per-frame prompt ids."""

    def __init__(self, vae, stats, te, max_pos, rng, vocabs=("train",), no_switch_p=0.4, two_obj_p=None):
        self.vae, self.stats, self.te, self.max_pos, self.rng = vae, stats, te, max_pos, rng
        self.vocabs = vocabs
        self.no_switch_p, self.two_obj_p = no_switch_p, two_obj_p
        self.dev = next(vae.parameters()).device

    @torch.no_grad()
    def encode(self, frames_u8):     # [T, 64, 64, 3] -> normalised latents [T/4, zc, 8, 8]
        return self.encode_batch(torch.from_numpy(frames_u8)[None])[0]

    @torch.no_grad()
    def encode_batch(self, frames_u8):     # uint8 tensor [B, T, 64, 64, 3] -> normalised latents [B, T/4, zc, 8, 8]
        v = frames_u8.to(self.dev, non_blocking=True).float().div_(127.5).sub_(1.0).permute(0, 1, 4, 2, 3)
        z, _ = self.vae.encoder(v)
        return (z - self.stats["mean"][:, None, None]) / self.stats["std"][:, None, None]

    def sample(self):
        clips, hist, pos, prompts = draw_sample(self.rng, self.max_pos, self.vocabs, self.no_switch_p, self.two_obj_p)
        if len(clips) == 1:
            z = self.encode(clips[0])
        else:
            zs = self.encode(clips[0])
            zz = self.encode(clips[1])
            z = torch.cat([zs, zz[hist:]], 0)
        return z, pos, prompts

    @torch.no_grad()
    def from_workers(self, items):
        """worker_sample items -> samples (z, pos, prompts, texts), their clips encoded in batches of equal length."""
        groups = {}
        for i, it in enumerate(items):
            for j, c in enumerate(it[0]):
                groups.setdefault(c.shape[0], []).append((i, j))
        lat = {}
        for keys in groups.values():
            z = self.encode_batch(torch.stack([items[i][0][j] for i, j in keys]))
            for (i, j), zz in zip(keys, z):
                lat[i, j] = zz
        out = []
        for i, (clips, hist, pos, prompts, texts) in enumerate(items):
            z = lat[i, 0] if len(clips) == 1 else torch.cat([lat[i, 0], lat[i, 1][hist:]], 0)
            # the DataLoader hands numpy arrays over as tensors; the training loop wants the states as numpy
            texts = {p: (e.numpy() if isinstance(e, torch.Tensor) else e) for p, e in texts.items()}
            out.append((z, list(pos), list(prompts), texts))
        return out


def build_masks(pos, noisy_blocks):
    """Frame-level attention mask for the sequence [clean frames (pos) | noisy frames of noisy_blocks]
    -> bool [Fc+Fn, Fc+Fn] (True = may attend), and the noisy frames' positions."""
    pos = np.array(pos)
    npos = np.array([BLOCK * b + i for b in noisy_blocks for i in range(BLOCK)])
    Fc, Fn = len(pos), len(npos)
    m = np.zeros((Fc + Fn, Fc + Fn), bool)
    bc = pos // BLOCK
    bn = npos // BLOCK
    for i in range(Fc + Fn):
        clean_q = i < Fc
        bq = bc[i] if clean_q else bn[i - Fc]
        lo = BLOCK * bq - (WINDOW - BLOCK)
        ctx_ok = (bc < bq) & ((bc == 0) | (pos >= lo))
        if clean_q:
            m[i, :Fc] = ctx_ok | (bc == bq)
        else:
            m[i, :Fc] = ctx_ok
            m[i, Fc:] = bn == bq
    return m, npos


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(common.HERE, "runs", "denoiser"))
    ap.add_argument("--vae", default=os.path.join(common.HERE, "runs", "vae", "latest.pt"))
    ap.add_argument("--size", default=None, choices=list(SIZES), help="default: --init's size, else base")
    ap.add_argument("--pooled_text", action="store_true",
                    help="condition adaLN on the prompt's sentence vector too (world-tiny v2; new runs and --init)")
    ap.add_argument("--init", default=None,
                    help="first start only: weights from this checkpoint (e.g. runs/shipped/denoiser.pt from "
                         "import_shipped.py); with --pooled_text the new pool_* weights start at zero")
    ap.add_argument("--stats", default=None, help="latent_stats.pt to share (the drafter must use the denoiser's)")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--bs", type=int, default=8)
    ap.add_argument("--lr", type=float, default=3e-4)
    ap.add_argument("--steps", type=int, default=10_000_000)
    ap.add_argument("--ckpt_every", type=int, default=100)
    ap.add_argument("--max_pos", type=int, default=300)
    ap.add_argument("--pool", type=int, default=48)
    ap.add_argument("--refresh", type=int, default=3, help="new samples rendered+encoded per step")
    ap.add_argument("--ctx_noise", type=float, default=0.1)
    ap.add_argument("--text_drop", type=float, default=0.1)
    ap.add_argument("--noisy_blocks", type=int, default=4, help="noisy blocks trained per sample")
    ap.add_argument("--self_ctx_p", type=float, default=0.3,
                    help="probability that a batch's context is the model's own re-denoised estimate")
    ap.add_argument("--self_ctx_start", type=int, default=1500)
    ap.add_argument("--recache_p", type=float, default=0.0,
                    help="probability that a sample's clean context is the re-cached view at its switches (recache_view)")
    ap.add_argument("--no_switch_p", type=float, default=0.4, help="share of training scripts without switches")
    ap.add_argument("--two_obj_p", type=float, default=None, help="share of two-object scripts (default: the world's 25%%)")
    ap.add_argument("--vocabs", default="train",
                    help="comma-separated world vocabularies a script's prompts are phrased in, drawn uniformly "
                         "per script (repeat one to weight it); 'heldout' is refused")
    common.add_runtime_args(ap)
    ap.add_argument("--text_cache", type=int, default=None,
                    help="most prompts whose MiniLM states are kept (default: all, as before; a fast GPU run meets "
                         "millions of distinct two-object phrasings)")
    a = ap.parse_args()
    common.setup_threads(a.threads)
    dev = common.pick_device(a.device)
    deadline = common.Deadline(a.seconds)
    os.makedirs(a.out, exist_ok=True)
    frozen = os.path.join(a.out, "vae_frozen.pt")
    if not os.path.exists(frozen):
        shutil.copyfile(a.vae, frozen)
    vst = torch.load(frozen, map_location="cpu", weights_only=False)
    vae = VAE()
    vae.load_state_dict(vst["model"])
    vae.eval()
    for p in vae.parameters():
        p.requires_grad_(False)
    vae.to(dev)
    te = textenc.TextEncoder(max_cache=a.text_cache)
    st = common.load_latest(a.out)
    init = None
    if st is None and a.init:
        src, model, size, init = load_init(a.init, SIZES, a.size, a.pooled_text)
        gap = zero_init_gap(src, model)
        assert gap == 0.0, f"--init: the new model differs from the checkpoint by {gap} before training"
        del src
    else:
        size = st["size"] if st else (a.size or "base")
        pooled_text = st["cfg"].get("pooled_text", False) if st else a.pooled_text
        if a.pooled_text and not pooled_text:
            raise SystemExit(f"{a.out}/latest.pt has no pooled conditioning; --pooled_text needs a new --out")
        model = Denoiser(**SIZES[size], pooled_text=pooled_text)
    stats_p = os.path.join(a.out, "latent_stats.pt")
    if not os.path.exists(stats_p) and a.stats:
        shutil.copyfile(a.stats, stats_p)
    if not os.path.exists(stats_p) and init is not None and "stats" in init:
        torch.save(init["stats"], stats_p)          # the latent space the checkpoint was trained in
    if not os.path.exists(stats_p):
        rng0 = np.random.default_rng(99)
        tmp = Sampler(vae, dict(mean=torch.zeros(16, device=dev), std=torch.ones(16, device=dev)), te, a.max_pos, rng0)
        zs = torch.cat([tmp.sample()[0] for _ in range(24)], 0)
        stats = dict(mean=zs.mean(dim=(0, 2, 3)), std=zs.std(dim=(0, 2, 3)))
        torch.save(common.to_cpu(stats), stats_p)
    stats = torch.load(stats_p, map_location="cpu")

    model.to(dev)
    opt = torch.optim.AdamW(model.parameters(), lr=a.lr, weight_decay=0.01, betas=(0.9, 0.99))
    ema = {k: v.detach().clone() for k, v in model.state_dict().items()}
    step = 0
    if st:
        model.load_state_dict(st["model"])
        opt.load_state_dict(st["opt"])           # moves the state to the parameters' device
        ema = common.to_device(st["ema"], dev) if dev.type != "cpu" else st["ema"]
        step = st["step"]
    log = common.Logger(a.out)
    log.log(event="start", step=step, params=sum(p.numel() for p in model.parameters()), args=vars(a),
            cfg=model.cfg)
    if init is not None:
        log.log(event="init", source=a.init, source_step=init.get("step"), zero_init_max_abs_difference=gap)
    rng = np.random.default_rng(1000 + step)
    torch.manual_seed(step)
    vocabs = tuple(v for v in a.vocabs.split(",") if v)
    stats_dev = common.to_device(stats, dev) if dev.type != "cpu" else stats
    samp = Sampler(vae, stats_dev, te, a.max_pos, rng, vocabs, a.no_switch_p, a.two_obj_p)
    if a.data_workers > 0:
        stream = common.worker_stream(functools.partial(worker_sample, max_pos=a.max_pos, vocabs=vocabs,
                                                        no_switch_p=a.no_switch_p, two_obj_p=a.two_obj_p),
                                      a.data_workers, seed=1000 + step, pin=dev.type == "cuda")

        def new_samples(n):
            return samp.from_workers([next(stream) for _ in range(n)])
    else:
        def new_samples(n):
            return [samp.sample() for _ in range(n)]
    pool = new_samples(a.pool)
    empty = te.encode("")

    def text_of(b, p):       # a sample from the workers carries its prompts' states
        return b[3][p] if len(b) > 3 else te.encode(p)
    sig_levels = torch.tensor(sampler_sigmas()).to(dev)
    T = model.cfg["tokens_per_frame"]

    def checkpoint():
        common.save_ckpt(a.out, common.to_cpu(dict(step=step, model=model.state_dict(), ema=ema, opt=opt.state_dict(),
                                                   cfg=model.cfg, size=size, stats=stats,
                                                   train=dict(sink=SINK, window=WINDOW, block=BLOCK, steps=STEPS,
                                                              shift=SHIFT, max_pos=a.max_pos))))
    t0 = time.time()
    t_data = 0.0
    acc = []
    while step < a.steps:
        td0 = time.time()
        if a.data_workers > 0:
            fresh = new_samples(a.refresh)
            for smp in fresh:
                pool[int(rng.integers(len(pool)))] = smp
        else:
            for _ in range(a.refresh):
                pool[int(rng.integers(len(pool)))] = samp.sample()
        t_data += time.time() - td0
        idx = rng.choice(len(pool), size=a.bs, replace=False)
        batch = [pool[i] for i in idx]
        # all samples of the batch share positions? no: positions differ -> masks differ per sample
        F_ = len(batch[0][1])
        z0 = torch.stack([b[0] for b in batch])                         # [B, F, zc, 8, 8]
        B = z0.shape[0]
        # text: per-sample distinct prompts, concatenated with a per-frame mask
        txts, cms = [], []
        lmax = 0
        per = []
        excluded = []
        for b in batch:
            ps = b[2]
            ex = set()
            if a.recache_p > 0 and rng.random() < a.recache_p:
                rps, ex = recache_view(b[1], ps)
                if [blk for blk in valid_blocks(b[1]) if blk not in ex]:
                    ps = rps
                else:
                    ex = set()
            excluded.append(ex)
            if rng.random() < a.text_drop:
                ps = [""] * len(ps)
            uniq = sorted(set(ps))
            embs = [empty if p == "" else text_of(b, p) for p in uniq]
            per.append((ps, uniq, embs))
            lmax = max(lmax, sum(e.shape[0] for e in embs))
        txt = torch.zeros(B, lmax, 384)
        cmask_f = torch.zeros(B, F_, lmax, dtype=torch.bool)
        # each frame's prompt's sentence vector, like its text mask (a dropped prompt gets the empty one's)
        pooled_f = torch.zeros(B, F_, 384) if model.pooled_text else None
        for bi, (ps, uniq, embs) in enumerate(per):
            off = 0
            spans, vecs = {}, {}
            for p, e in zip(uniq, embs):
                txt[bi, off:off + e.shape[0]] = torch.from_numpy(e)
                spans[p] = (off, off + e.shape[0])
                vecs[p] = torch.from_numpy(textenc.pooled(e))
                off += e.shape[0]
            for fi, p in enumerate(ps):
                s0, s1 = spans[p]
                cmask_f[bi, fi, s0:s1] = True
                if pooled_f is not None:
                    pooled_f[bi, fi] = vecs[p]
        NB = a.noisy_blocks
        masks, fposs, zts, eps_l, sig_l, z0n = [], [], [], [], [], []
        for bi, b in enumerate(batch):
            vb = [blk for blk in valid_blocks(b[1]) if blk not in excluded[bi]]
            nbk = sorted(rng.choice(vb, size=NB, replace=False).tolist()) if len(vb) >= NB else \
                sorted(rng.choice(vb, size=NB, replace=True).tolist())
            m, npos = build_masks(b[1], nbk)
            masks.append(torch.from_numpy(m))
            fposs.append(list(b[1]) + npos.tolist())
            idx_n = [b[1].index(p) for p in npos]
            z0n.append(z0[bi, idx_n])
        z0n = torch.stack(z0n)                                            # [B, Fn, zc, 8, 8]
        Fn = z0n.shape[1]
        txt, cmask_f = txt.to(dev, non_blocking=True), cmask_f.to(dev, non_blocking=True)
        if pooled_f is not None:
            pooled_f = pooled_f.to(dev, non_blocking=True)
        mstack = torch.stack(masks).to(dev, non_blocking=True)
        amask = mstack.repeat_interleave(T, 1).repeat_interleave(T, 2)[:, None]
        u = torch.rand(B, NB, device=dev)
        sig = torch.where(torch.rand(B, NB, device=dev) < 0.5, sig_levels[torch.randint(0, 4, (B, NB), device=dev)],
                          sigma_shift(u, SHIFT))
        sig_f = sig.repeat_interleave(BLOCK, dim=1)                      # [B, Fn]
        eps = torch.randn_like(z0n)
        zt = (1 - sig_f[..., None, None, None]) * z0n + sig_f[..., None, None, None] * eps
        sc = torch.rand(B, 1, 1, 1, 1, device=dev) * a.ctx_noise * (torch.rand(B, 1, 1, 1, 1, device=dev) < 0.7).float()
        zc = (1 - sc) * z0 + sc * torch.randn_like(z0)
        if step >= a.self_ctx_start and rng.random() < a.self_ctx_p:
            # self-rollout-lite: the context becomes the model's own x0 estimate of the (noised) true frames,
            # so it carries the model's artifacts while staying aligned with the regression targets
            with torch.no_grad():
                s_c = float(sig_levels[int(rng.integers(2, 4))])
                zn_c = (1 - s_c) * z0 + s_c * torch.randn_like(z0)
                cm = mstack[:, :F_, :F_]
                cm = cm.repeat_interleave(T, 1).repeat_interleave(T, 2)[:, None]
                cmc = cmask_f.repeat_interleave(T, dim=1)[:, None]
                fp_c = torch.tensor([list(b[1]) for b in batch], dtype=torch.float64, device=dev)
                with common.autocast(dev, a.amp):
                    v_c = model(zn_c, torch.full((B, F_), 1000.0 * s_c, device=dev), fp_c, txt, attn_mask=cm,
                                ctx_mask=cmc, pooled=pooled_f)
                zc = zn_c - s_c * v_c.float()
        zin = torch.cat([zc, zt], dim=1)
        tin = torch.cat([torch.zeros(B, F_, device=dev), sig_f * 1000.0], dim=1)
        # text mask rows for the noisy frames follow their clean twins
        cm_rows, pl_rows = [], []
        for bi, b in enumerate(batch):
            idx_n = [b[1].index(p) for p in fposs[bi][F_:]]
            cm_rows.append(torch.cat([cmask_f[bi, :F_], cmask_f[bi, idx_n]], 0))
            if pooled_f is not None:
                pl_rows.append(torch.cat([pooled_f[bi, :F_], pooled_f[bi, idx_n]], 0))
        cmask = torch.stack(cm_rows).repeat_interleave(T, dim=1)[:, None]
        pooled = torch.stack(pl_rows) if pooled_f is not None else None
        fpos = torch.tensor(fposs, dtype=torch.float64).to(dev, non_blocking=True)
        with common.autocast(dev, a.amp):
            out = model(zin, tin, fpos, txt, attn_mask=amask, ctx_mask=cmask, pooled=pooled)
        v_pred = out[:, F_:].float()
        target = eps - z0n
        loss = ((v_pred - target) ** 2).mean()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        gn = torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        lr = a.lr * min(1.0, (step + 1) / 200)
        for g in opt.param_groups:
            g["lr"] = lr
        opt.step()
        with torch.no_grad():
            d = 0.999 if step > 2000 else 0.99
            if dev.type == "cpu":
                for k, v in model.state_dict().items():
                    ema[k].mul_(d).add_(v.detach(), alpha=1 - d)
            else:                                         # the same update, in a few fused kernels
                ks = list(ema)
                sd = model.state_dict()
                torch._foreach_mul_([ema[k] for k in ks], d)
                torch._foreach_add_([ema[k] for k in ks], [sd[k].detach() for k in ks], alpha=1 - d)
        step += 1
        # x0 error at the sampler's levels, for monitoring
        acc.append((loss.item(), gn.item()))
        if step % 10 == 0:
            a_ = np.array(acc)
            extra = {} if a.data_workers == 0 and a.seconds is None else dict(data_s=round(t_data / 10, 4))
            log.log(step=step, loss=float(a_[:, 0].mean()), grad_norm=float(a_[:, 1].mean()),
                    sec_per_step=(time.time() - t0) / 10, lr=lr, **extra)
            acc = []
            t0 = time.time()
            t_data = 0.0
        if step % a.ckpt_every == 0 or deadline.passed():
            checkpoint()
        if deadline.passed():
            log.log(event="deadline", step=step, seconds=a.seconds)
            break

if __name__ == "__main__":
    main()

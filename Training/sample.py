"""Streaming generation with the world-tiny denoiser (torch), exactly the loop the Swift denoiser node runs.

Per block of 3 latent frames (12 video frames):
  keys/values available = [sink: the first block's 3 frames | the 6 most recent earlier frames] (post-RoPE,
  absolute frame positions), per layer;
  x ~ N(0, I);  for sigma in shift([1000, 750, 500, 250] / 1000, 5): v = model(x, t = 1000*sigma);
  x0 = x - sigma*v;  re-noise x = (1 - sigma_next)*x0 + sigma_next*noise (fresh) for the next level;
  after the last level x0 is the block; one more pass at t = 0 over x0 writes the block's K/V into the cache.
Prompt switch (recache=True): the window frames (non-sink) are re-encoded at t = 0 under the new prompt
(block-causal among themselves, attending the sink), replacing their K/V; the sink keeps the old prompt's K/V.
A pooled_text model (world-tiny v2) also gets each frame's prompt's sentence vector (textenc.pooled), in every call
that gets the prompt's states; guidance's unconditional call gets the empty prompt's.

    python3 Training/sample.py --ckpt Training/runs/denoiser/latest.pt --prompt "a red circle moves right on a black background" --seconds 10 --out /tmp/x.npy
"""
from __future__ import annotations

import argparse
import os

import numpy as np
import torch

import common  # noqa: F401  (path setup)
import textenc
import world
from models import VAE, Denoiser, sigma_shift


class Generator:
    def __init__(self, model: Denoiser, vae: VAE, stats, te, sink=3, window=9, block=3,
                 steps=(1000, 750, 500, 250), shift=5.0, cfg_scale=1.0, recache=True, use_ema=True):
        self.m, self.vae, self.te = model, vae, te
        self.mean, self.std = stats["mean"], stats["std"]
        self.sink, self.window, self.block = sink, window, block
        self.sigmas = [sigma_shift(s / 1000.0, shift) for s in steps]
        self.cfg_scale, self.recache = cfg_scale, recache

    def _prefix(self, cache, b):
        """cache: dict pos -> list over layers of (K, V) [B, h, T, hd]; keys visible to block b."""
        lo = self.block * b - (self.window - self.block)
        ps = sorted(p for p in cache if p < self.sink or (lo <= p < self.block * b))
        if not ps:
            return None
        L = len(self.m.blocks)
        return [(torch.cat([cache[p][l][0] for p in ps], 2), torch.cat([cache[p][l][1] for p in ps], 2))
                for l in range(L)]

    def _store(self, cache, kvs, pos):
        T = self.m.cfg["tokens_per_frame"]
        for fi, p in enumerate(pos):
            cache[p] = [(k[:, :, fi * T:(fi + 1) * T], v[:, :, fi * T:(fi + 1) * T]) for (k, v) in kvs]

    def _evict(self, cache, b_next):
        lo = self.block * b_next - (self.window - self.block)
        for p in [p for p in cache if p >= self.sink and p < lo]:
            del cache[p]

    def _cond(self, enc, pooled, prompt):
        """(states [1, L, 384], sentence vector [384] or None): what one call needs of a prompt."""
        if not self.m.pooled_text:
            return enc(prompt), None
        vec = pooled[prompt] if pooled is not None and prompt in pooled else textenc.pooled(enc(prompt)[0].numpy())
        return enc(prompt), torch.as_tensor(np.asarray(vec, np.float32), dtype=torch.get_default_dtype())

    def _call(self, x, t, pos, cond, **kw):
        txt, vec = cond
        pooled = None if vec is None else vec.expand(x.shape[0], x.shape[1], -1)
        return self.m(x, t, pos, txt, pooled=pooled, **kw)

    @torch.no_grad()
    def generate(self, timeline, n_blocks, seed=0, noises=None, texts=None, normalised=False, pooled=None):
        """timeline: list of (start_block, prompt). Returns latents [n_blocks*3, zc, 8, 8] (denormalised unless
        normalised=True).  noises (optional) [n_blocks, len(sigmas), 3, zc, 8, 8] replaces the random draws;
        texts (optional) maps prompt -> MiniLM states [L, 384] (skips the text encoder); pooled (optional) maps
        prompt -> sentence vector [384] (pooled_text models; default: textenc.pooled of the prompt's states)."""
        g = torch.Generator().manual_seed(seed)
        zc = self.m.cfg["latent_channels"]
        hw = self.m.cfg["latent_hw"]
        cache = {}
        self._lat = {}          # clean (normalised) latents by position, for re-cache
        out = []
        enc = (lambda p: torch.as_tensor(texts[p], dtype=torch.get_default_dtype())[None]) if texts is not None else \
            (lambda p: torch.from_numpy(self.te.encode(p))[None])
        empty = self._cond(enc, pooled, "") if self.cfg_scale != 1.0 else None
        cur = None
        for b in range(n_blocks):
            prompt = [p for (sb, p) in timeline if sb <= b][-1]
            txt = self._cond(enc, pooled, prompt)
            if cur is not None and prompt != cur and self.recache and b > 1:
                self._recache(cache, b, txt)
            cur = prompt
            pos = [self.block * b + i for i in range(self.block)]
            prefix = self._prefix(cache, b)
            nz = (lambda i: torch.as_tensor(noises[b][i], dtype=torch.get_default_dtype())[None]) if noises is not None else \
                (lambda i: torch.randn(1, self.block, zc, hw, hw, generator=g))
            x = nz(0)
            x0 = None
            for i, s in enumerate(self.sigmas):
                t = torch.full((1, self.block), 1000.0 * s)
                v = self._call(x, t, pos, txt, prefix=prefix)
                if self.cfg_scale != 1.0:
                    vu = self._call(x, t, pos, empty, prefix=prefix)
                    v = vu + self.cfg_scale * (v - vu)
                x0 = x - s * v
                if i + 1 < len(self.sigmas):
                    sn = self.sigmas[i + 1]
                    x = (1 - sn) * x0 + sn * nz(i + 1)
            _, kvs = self._call(x0, torch.zeros(1, self.block), pos, txt, prefix=prefix, return_kv=True)
            self._store(cache, kvs, pos)
            for fi, p in enumerate(pos):
                self._lat[p] = x0[0, fi]
            self._evict(cache, b + 1)
            out.append(x0[0])
        z = torch.cat(out, 0)
        if normalised:
            return z
        return z * self.std[:, None, None] + self.mean[:, None, None]

    def _recache(self, cache, b, txt):
        lo = self.block * b - (self.window - self.block)
        ps = sorted(p for p in cache if p >= self.sink and p >= lo)
        if not ps:
            return
        lat = torch.stack([self._lat[p] for p in ps])[None]
        sink_ps = sorted(p for p in cache if p < self.sink)
        L = len(self.m.blocks)
        prefix = [(torch.cat([cache[p][l][0] for p in sink_ps], 2), torch.cat([cache[p][l][1] for p in sink_ps], 2))
                  for l in range(L)] if sink_ps else None
        T = self.m.cfg["tokens_per_frame"]
        blk = torch.tensor([p // self.block for p in ps])
        fm = (blk[:, None] >= blk[None, :])                                # block-causal among window frames
        m = torch.ones(len(ps), len(sink_ps) + len(ps), dtype=torch.bool)
        m[:, len(sink_ps):] = fm
        m = m.repeat_interleave(T, 0).repeat_interleave(T, 1)[None, None]
        _, kvs = self._call(lat, torch.zeros(1, len(ps)), ps, txt, attn_mask=m, prefix=prefix, return_kv=True)
        self._store(cache, kvs, ps)


@torch.no_grad()
def decode(vae: VAE, z):
    """z [n, zc, 8, 8] -> uint8 frames [4n, 64, 64, 3] (streaming decode == full decode for a causal VAE)."""
    v, _ = vae.decoder(z[None])
    return ((v[0].clamp(-1, 1) + 1) * 127.5).round().byte().permute(0, 2, 3, 1).numpy()


def load(ckpt_path, use_ema=True):
    st = torch.load(ckpt_path, map_location="cpu", weights_only=False)
    from train_denoiser import SIZES
    m = Denoiser(**SIZES[st["size"]], pooled_text=st["cfg"].get("pooled_text", False))
    m.load_state_dict(st["ema"] if use_ema else st["model"])
    m.eval()
    d = os.path.dirname(ckpt_path)
    vst = torch.load(os.path.join(d, "vae_frozen.pt"), map_location="cpu", weights_only=False)
    vae = VAE()
    vae.load_state_dict(vst["model"])
    vae.eval()
    return m, vae, st["stats"], st


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ckpt", default=os.path.join(common.HERE, "runs", "denoiser", "latest.pt"))
    ap.add_argument("--prompt", action="append", required=True, help="'text' or 'block:text' (repeatable)")
    ap.add_argument("--seconds", type=float, default=6)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--cfg", type=float, default=1.0)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    common.setup_threads(1)
    m, vae, stats, _ = load(a.ckpt)
    gen = Generator(m, vae, stats, textenc.TextEncoder(), cfg_scale=a.cfg)
    tl = []
    for p in a.prompt:
        if ":" in p and p.split(":", 1)[0].isdigit():
            tl.append((int(p.split(":", 1)[0]), p.split(":", 1)[1]))
        else:
            tl.append((0, p))
    nb = int(round(a.seconds * world.FPS / world.BLOCK_FRAMES))
    z = gen.generate(tl, nb, seed=a.seed)
    np.save(a.out, decode(vae, z))
    print("wrote", a.out)


if __name__ == "__main__":
    main()

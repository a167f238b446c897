"""Check that the training-time masked forward equals the streaming (KV-cache) forward of sample.Generator.

    python3 Training/check_stream.py        # prints the max abs difference (expect ~1e-6)

Also for a pooled_text model with a switch of sentence vector at block 3: training gives every frame its own
prompt's vector (the noisy block its clean twin's), which must equal streaming, where each call has its block's.
"""
import numpy as np
import torch

import common  # noqa: F401
import train_denoiser as td
from models import Denoiser
from sample import Generator


def check(pooled_text=False):
    torch.manual_seed(0)
    m = Denoiser(dim=64, depth=2, heads=2, pooled_text=pooled_text).eval()
    for p in m.parameters():
        p.data.normal_(0, 0.05)
    nbl = 5
    Fc = nbl * 3
    pos = list(range(Fc))
    z = torch.randn(1, Fc, 16, 8, 8)
    txt = torch.randn(1, 7, 384)
    switch = 3
    vecs = torch.nn.functional.normalize(torch.randn(2, 384), dim=-1) if pooled_text else None
    pooled_of = (lambda blocks: torch.stack([vecs[int(b >= switch)] for b in blocks])[None]) if pooled_text else \
        (lambda blocks: None)
    # streaming: t=0 passes block by block
    g = Generator.__new__(Generator)
    g.m, g.sink, g.window, g.block = m, 3, 9, 3
    cache = {}
    noisy_block = 4
    zt = torch.randn(1, 3, 16, 8, 8)
    with torch.no_grad():
        for b in range(nbl):
            pb = [3 * b + i for i in range(3)]
            prefix = g._prefix(cache, b)
            if b == noisy_block:
                v_stream = m(zt, torch.full((1, 3), 833.0), pb, txt, prefix=prefix, pooled=pooled_of([b] * 3))
            _, kvs = m(z[:, 3 * b:3 * b + 3], torch.zeros(1, 3), pb, txt, prefix=prefix, return_kv=True,
                       pooled=pooled_of([b] * 3))
            g._store(cache, kvs, pb)
            g._evict(cache, b + 1)
        mk, npos = td.build_masks(pos, [noisy_block])
        T = 16
        am = torch.from_numpy(mk).repeat_interleave(T, 0).repeat_interleave(T, 1)[None, None]
        zin = torch.cat([z, zt], 1)
        tin = torch.cat([torch.zeros(1, Fc), torch.full((1, 3), 833.0)], 1)
        out = m(zin, tin, pos + npos.tolist(), txt, attn_mask=am,
                pooled=pooled_of([p // 3 for p in pos + npos.tolist()]))
    d = (out[:, Fc:] - v_stream).abs().max().item()
    print(("pooled_text: " if pooled_text else "") + "max |masked - streaming| =", d)
    assert d < 1e-4


def main():
    common.setup_threads(1)
    check()
    check(pooled_text=True)


if __name__ == "__main__":
    main()

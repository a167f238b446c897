"""Check that the training-time masked forward equals the streaming (KV-cache) forward of sample.Generator.

    python3 Training/check_stream.py        # prints the max abs difference (expect ~1e-6)
"""
import numpy as np
import torch

import common  # noqa: F401
import train_denoiser as td
from models import Denoiser
from sample import Generator


def main():
    torch.manual_seed(0)
    common.setup_threads(1)
    m = Denoiser(dim=64, depth=2, heads=2).eval()
    for p in m.parameters():
        p.data.normal_(0, 0.05)
    nbl = 5
    Fc = nbl * 3
    pos = list(range(Fc))
    z = torch.randn(1, Fc, 16, 8, 8)
    txt = torch.randn(1, 7, 384)
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
                v_stream = m(zt, torch.full((1, 3), 833.0), pb, txt, prefix=prefix)
            _, kvs = m(z[:, 3 * b:3 * b + 3], torch.zeros(1, 3), pb, txt, prefix=prefix, return_kv=True)
            g._store(cache, kvs, pb)
            g._evict(cache, b + 1)
        mk, npos = td.build_masks(pos, [noisy_block])
        T = 16
        am = torch.from_numpy(mk).repeat_interleave(T, 0).repeat_interleave(T, 1)[None, None]
        zin = torch.cat([z, zt], 1)
        tin = torch.cat([torch.zeros(1, Fc), torch.full((1, 3), 833.0)], 1)
        out = m(zin, tin, pos + npos.tolist(), txt, attn_mask=am)
    d = (out[:, Fc:] - v_stream).abs().max().item()
    print("max |masked - streaming| =", d)
    assert d < 1e-4


if __name__ == "__main__":
    main()

"""Start a denoiser run from another checkpoint's weights (train_denoiser.py --init), e.g. the shipped model as
Training/import_shipped.py rebuilds it, possibly adding the pooled sentence conditioning (world-tiny v2).

The new pool_* weights are the only ones allowed to be missing: pool_fc2 starts at zero, so the new model computes
exactly what the checkpoint did until training moves it.  `zero_init_gap` measures that on a random input rather
than trusting it, since a stray non-zero init would silently start the fine-tune from a different model.
"""
from __future__ import annotations

import torch

from models import Denoiser

POOLED_KEYS = ("pool_fc1.", "pool_fc2.")


def load_init(path: str, sizes: dict, size: str | None, pooled_text: bool):
    """-> (model, source model, size, checkpoint).  The size is the checkpoint's; a different --size is refused.
    The source is the checkpoint's own architecture, for the comparison."""
    st = torch.load(path, map_location="cpu", weights_only=False)
    src_size = st.get("size")
    if src_size is None:
        raise SystemExit(f"--init {path}: the checkpoint does not say its size")
    if size is not None and size != src_size:
        raise SystemExit(f"--init {path} is size {src_size!r}, not --size {size!r}")
    src_pooled = bool(st.get("cfg", {}).get("pooled_text", False))
    if src_pooled and not pooled_text:
        raise SystemExit(f"--init {path} has pooled conditioning; pass --pooled_text to keep it")
    sd = st["model"]
    src = Denoiser(**sizes[src_size], pooled_text=src_pooled)
    src.load_state_dict(sd)
    model = Denoiser(**sizes[src_size], pooled_text=pooled_text)
    missing, unexpected = model.load_state_dict(sd, strict=False)
    bad = [k for k in missing if not k.startswith(POOLED_KEYS)]
    if bad or unexpected:
        raise SystemExit(f"--init {path}: missing {bad}, unexpected {unexpected}")
    return src.eval(), model, src_size, st


@torch.no_grad()
def zero_init_gap(src: Denoiser, model: Denoiser, seed: int = 0) -> float:
    """Largest |v_model - v_src| over one random call (2 samples, one block, text and a random sentence vector)."""
    g = torch.Generator().manual_seed(seed)
    c = src.cfg
    z = torch.randn(2, 3, c["latent_channels"], c["latent_hw"], c["latent_hw"], generator=g)
    t = torch.tensor([[1000.0] * 3, [375.0] * 3])
    txt = torch.randn(2, 7, c["text_dim"], generator=g) * 0.3
    pooled = torch.nn.functional.normalize(torch.randn(2, 3, c["text_dim"], generator=g), dim=-1)
    was = model.training
    model.eval()
    v0 = src(z, t, [6, 7, 8], txt, pooled=pooled if src.pooled_text else None)
    v1 = model(z, t, [6, 7, 8], txt, pooled=pooled if model.pooled_text else None)
    model.train(was)
    return float((v1 - v0).abs().max())

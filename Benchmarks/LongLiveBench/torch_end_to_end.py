"""End-to-end torch peer for LongLiveBench: the same world-tiny weights, steps, shift, guidance, sink + window
cache (Training/sample.py's Generator) and the same streaming VAE decoder (Training/models.py), in a plain PyTorch
loop: each block is denoised (4 steps + the t = 0 pass, guidance as sample.py does it: two calls), de-normalised,
decoded through the causal decoder with its cache carried, and turned into uint8 frames. Timed over every setting
torch offers here (f32 and bf16 autocast, 1 and 2 threads); the best is the peer. Also counts the FLOPs of one block
(torch's FlopCounterMode: matmuls and convolutions) for the benchmark's f32 bound.

    python3 Benchmarks/LongLiveBench/torch_end_to_end.py MODEL_DIR BLOCKS  -> one JSON line
"""
import json
import os
import sys
import time

import numpy as np
import torch
from torch.utils.flop_counter import FlopCounterMode

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(REPO, "Training"))
from models import VAE, Denoiser  # noqa: E402
from reference import load_safetensors  # noqa: E402
import sample  # noqa: E402


class FixedText:
    """MiniLM-shaped text states (the text encoder runs once per prompt and is not what is compared)."""
    def encode(self, prompt):
        rng = np.random.default_rng(len(prompt))
        return (0.3 * rng.standard_normal((12, 384))).astype(np.float32)

    def sentence(self, prompt):
        """A pooled_text model's sentence input (world-tiny v2): the states' mean, unit length, as textenc.pooled."""
        m = self.encode(prompt).astype(np.float64).mean(axis=0)
        return (m / np.linalg.norm(m)).astype(np.float32)


def load(model_dir):
    cfg = json.load(open(os.path.join(model_dir, "config.json")))
    d = cfg["denoiser"]
    m = Denoiser(dim=d["dim"], depth=d["depth"], heads=d["heads"], pooled_text=d.get("pooled_text", False))
    m.load_state_dict({k: torch.from_numpy(v.astype(np.float32)) for k, v in
                       load_safetensors(os.path.join(model_dir, d["file"])).items()
                       if k not in ("null_text", "null_sentence")})
    m.eval()
    v = cfg["vae"]
    vae = VAE(ft=v["frames_per_latent"], ch=tuple(v["channels"]), zc=v["latent_channels"])
    weights = load_safetensors(os.path.join(model_dir, v["file"]))
    vae.decoder.load_state_dict({k[len("decoder."):]: torch.from_numpy(w.astype(np.float32))
                                 for k, w in weights.items() if k.startswith("decoder.")})
    vae.eval()
    return cfg, m, vae


class Loop:
    """Block after block: denoise (sample.Generator, one block at a time, its cache kept), decode, to uint8."""
    def __init__(self, cfg, m, vae):
        d, s = cfg["denoiser"], cfg["denoiser"]["sampler"]
        self.stats = {"mean": torch.tensor(d["latent_mean"]), "std": torch.tensor(d["latent_std"])}
        self.g = sample.Generator(m, vae, self.stats, FixedText(), sink=s["sink_frames"], window=s["window_frames"],
                                  block=s["block_frames"], steps=s["steps"], shift=s["shift"],
                                  cfg_scale=s.get("guidance", 1.0))
        self.vae = vae

    @torch.no_grad()
    def run(self, blocks, on_block=None):
        # Generator.generate keeps its cache inside one call: generate all blocks' latents through a hook that
        # decodes each block as soon as it is made (the same order a sequential runtime would use).
        frames = []
        cache = [None]

        def decode_block(x0_normalised):
            z = x0_normalised * self.stats["std"][:, None, None] + self.stats["mean"][:, None, None]
            video, cache[0] = self.vae.decoder(z[None].float(), cache[0])
            frames.append(((video[0].clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8).permute(0, 2, 3, 1).contiguous())
            if on_block:
                on_block()

        original = self.g._evict

        def evict_and_decode(c, b_next):
            # generate() calls _evict right after it stored block b_next - 1's clean latents in _lat.
            original(c, b_next)
            b = b_next - 1
            decode_block(torch.stack([self.g._lat[p] for p in range(self.g.block * b, self.g.block * (b + 1))]))
        self.g._evict = evict_and_decode
        try:
            prompt = "a red circle moves right"
            self.g.generate([(0, prompt)], blocks, pooled={prompt: FixedText().sentence(prompt)})
        finally:
            self.g._evict = original
        return sum(f.shape[0] for f in frames)


def main():
    model_dir, blocks = sys.argv[1], int(sys.argv[2])
    cfg, m, vae = load(model_dir)
    loop = Loop(cfg, m, vae)
    results = {}
    for threads in (1, 2):
        torch.set_num_threads(threads)
        for name, dtype in (("f32", None), ("bf16", torch.bfloat16)):
            def go(n):
                if dtype is None:
                    return loop.run(n)
                with torch.autocast("cpu", dtype=dtype):
                    return loop.run(n)
            go(2)                                            # warm-up
            t0 = time.perf_counter()
            frames = go(blocks)
            results[f"{name} {threads} thread(s)"] = frames / (time.perf_counter() - t0)
    best = max(results, key=results.get)
    torch.set_num_threads(1)
    def flops(n):
        with FlopCounterMode(display=False) as counter:
            loop.run(n)
        return counter.get_total_flops()
    steady = flops(12) - flops(11)                           # a block with a full sink + window prefix
    out = {"fps": results, "best": best, "best_fps": results[best], "frames_per_block": 4 * cfg["denoiser"]["sampler"]["block_frames"],
           "flops_per_block": steady, "torch": torch.__version__}
    print(json.dumps(out))


if __name__ == "__main__":
    main()

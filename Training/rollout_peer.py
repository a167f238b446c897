"""The rollout graph's work as a plain Python loop with torch: the peer that Graphs/grpo-rollouts.yaml's speed is
measured against (Training/rollout_bench.py).

Per block, as flowrun does it: G candidates of the same history in one batched call per step (classifier-free
guidance: a conditional and an unconditional call, each seeing the history's K/V), the t = 0 pass over every
candidate's x0 (flowrun's denoiser sends every candidate's K/V to the cache manager), each candidate decoded by the
causal VAE decoder continuing the kept history's decoder cache, its 12 frames rounded to 8-bit and scored by the
reward model in 3 windows of 4, rewards normalised within the group, the best candidate kept (its K/V and decoder
cache continue), and the group recorded as a RolloutGroup (Schemas/rollout.proto) in a length-delimited file.
The noise is torch's, so the rollouts are not flowrun's draw for draw; the work is the same.

    python3 Training/rollout_peer.py --frames 48 --group 4 --out /tmp/peer.pb
"""
from __future__ import annotations

import argparse
import json
import math
import os
import time

import numpy as np
import torch

import common
import grpo
import import_shipped
import rollout_records as rr
from models import VAE, Reward, sigma_shift
from protos import rollout_pb2


def tree_map(f, x):
    """f on every tensor of a nested tuple (the causal decoder's cache)."""
    return tuple(tree_map(f, y) for y in x) if isinstance(x, (tuple, list)) else f(x)


class Peer:
    def __init__(self, model_dir: str, threads: int):
        common.setup_threads(threads)
        self.m, self.null, cfg = grpo.load_denoiser(model_dir)
        self.m.eval()
        v = import_shipped.import_vae(model_dir, cfg)
        self.vae = VAE(ft=cfg["vae"]["frames_per_latent"], ch=tuple(cfg["vae"]["channels"]), zc=cfg["vae"]["latent_channels"])
        self.vae.load_state_dict(v["model"])
        self.vae.eval()
        rc = cfg["reward"]
        self.reward = Reward(ft=rc["frames"], ch=tuple(rc["channels"]), dim=rc["dim"], text_dim=rc["text_dim"])
        self.reward.load_state_dict(import_shipped.load_weights(os.path.join(model_dir, rc["file"])))
        self.reward.eval()
        d = cfg["denoiser"]
        s = d["sampler"]
        self.sigmas = [sigma_shift(t / 1000.0, s["shift"]) for t in s["steps"]]
        self.guidance = s["guidance"]
        self.bf, self.sink, self.window = s["block_frames"], s["sink_frames"], s["window_frames"]
        self.mean = torch.tensor(d["latent_mean"]).view(1, 1, -1, 1, 1)
        self.std = torch.tensor(d["latent_std"]).view(1, 1, -1, 1, 1)
        self.rframes = rc["frames"]
        self.hw = d["latent_hw"]

    @torch.no_grad()
    def run(self, prompt: str, text_states: np.ndarray, frames: int, group: int, seed: int, out: str) -> int:
        """Writes the rollout file; returns the number of rollouts (G per block)."""
        g = torch.Generator().manual_seed(seed)
        n_blocks = (frames + 4 * self.bf - 1) // (4 * self.bf)
        txt = torch.from_numpy(text_states)[None]
        T = self.m.cfg["tokens_per_frame"]
        cache, dec_cache = {}, None
        header = rollout_pb2.RolloutFileHeader(format=rr.FORMAT, version=rr.VERSION, graph="rollout_peer", model="", weights="denoiser",
                                               seed=seed, group_size=group, branching="noise", reward="reward.scorer",
                                               sigmas=self.sigmas, guidance=self.guidance, block_frames=self.bf)
        messages = [header]
        for b in range(n_blocks):
            pos = [b * self.bf + i for i in range(self.bf)]
            lo = b * self.bf - (self.window - self.bf)
            visible = sorted(p for p in cache if p < self.sink or lo <= p < b * self.bf)
            prefix = None if not visible else [(torch.cat([cache[p][l][0] for p in visible], 2), torch.cat([cache[p][l][1] for p in visible], 2))
                                               for l in range(len(self.m.blocks))]
            x = torch.randn(group, self.bf, self.mean.shape[2], self.hw, self.hw, generator=g)
            states, preds = [], []
            for i, s in enumerate(self.sigmas):
                t = torch.full((group, self.bf), 1000.0 * s)
                v = grpo.velocity(self.m, x, t, pos, txt, self.null, prefix, self.guidance)
                x0 = x - s * v
                states.append(x)
                preds.append(x0)
                if i + 1 < len(self.sigmas):
                    x = (1 - self.sigmas[i + 1]) * x0 + self.sigmas[i + 1] * torch.randn(x.shape, generator=g)
            pre = None if prefix is None else [(k.expand(group, -1, -1, -1), v.expand(group, -1, -1, -1)) for k, v in prefix]
            _, kvs = self.m(x0, torch.zeros(group, self.bf), pos, txt.expand(group, -1, -1), prefix=pre, return_kv=True)
            z = x0 * self.std + self.mean
            c = None if dec_cache is None else tree_map(lambda t: t.expand(group, *t.shape[1:]), dec_cache)
            video, new_cache = self.vae.decoder(z, c)
            pixels = ((video.clamp(-1, 1) + 1) * 127.5).round()                    # the 8-bit frames flowrun scores
            frames_in = (pixels / 127.5 - 1).reshape(group * (video.shape[1] // self.rframes), self.rframes, *video.shape[2:])
            logits = self.reward(frames_in, txt.expand(frames_in.shape[0], -1, -1)).reshape(group, -1)
            rewards = torch.sigmoid(logits).mean(1)
            mean, std = rewards.mean(), rewards.std(unbiased=False)
            adv = (rewards - mean) / (std + 1e-4)
            best = int(torch.argmax(rewards))
            for fi, p in enumerate(pos):
                cache[p] = [(k[best:best + 1, :, fi * T:(fi + 1) * T], vv[best:best + 1, :, fi * T:(fi + 1) * T]) for k, vv in kvs]
            for p in [p for p in cache if p >= self.sink and p < (b + 1) * self.bf - (self.window - self.bf)]:
                del cache[p]
            dec_cache = tree_map(lambda t: t[best:best + 1], new_cache)
            msg = rollout_pb2.RolloutGroup(block=b, prompt=prompt, text_states=rr.tensor_header(text_states, "text_states"),
                                           reward_mean=float(mean), reward_std=float(std))
            st, pr = torch.stack(states, 1).numpy(), torch.stack(preds, 1).numpy()
            for j in range(group):
                r = msg.rollouts.add(index=j, states=rr.tensor_header(st[j], "states"), predictions=rr.tensor_header(pr[j], "predictions"),
                                     visible_positions=visible, reward=float(rewards[j]), advantage=float(adv[j]), kept=j == best)
                for k in range(len(self.sigmas) - 1):
                    r.transitions.add(step=k, sigma=self.sigmas[k], sigma_next=self.sigmas[k + 1],
                                      log_prob=rr.transition_log_prob(st[j, k + 1], pr[j, k], self.sigmas[k + 1]))
            messages.append(msg)
        rr.write_records(out, messages)
        return n_blocks * group


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", default=os.path.join(common.REPO, "Models", "world-tiny"))
    ap.add_argument("--prompt", default="a large red circle moves right on a dark blue background")
    ap.add_argument("--frames", type=int, default=48)
    ap.add_argument("--group", type=int, default=4)
    ap.add_argument("--seed", type=int, default=70_000_000)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    import textenc
    states = textenc.TextEncoder().encode(a.prompt)
    peer = Peer(a.model, a.threads)
    t0 = time.time()
    n = peer.run(a.prompt, states, a.frames, a.group, a.seed, a.out)
    print(json.dumps(dict(rollouts=n, seconds=round(time.time() - t0, 3), out=a.out)))


if __name__ == "__main__":
    main()

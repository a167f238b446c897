"""GRPO for the world-tiny denoiser on rollouts that flowrun records (Graphs/grpo-rollouts.yaml, rollout.writer).

One iteration:
  1. rollout: for each training prompt, `flowrun Graphs/grpo-rollouts.yaml` with the current model folder writes a
     rollout file (Schemas/rollout.proto): per block G rollouts of the same history, every re-noising step of the
     sampler (states, x0 predictions), the reward of each rollout and its group-normalised advantage;
  2. train: the sampler's step x' ~ N((1 - s') x0_theta(x), s'^2 I) is a Gaussian policy, so with the recorded
     states the log-probability under any weights is exact. The clipped GRPO objective (PPO's clip on the ratio to
     the weights that drew the rollouts, advantages from the records) plus beta * KL to the starting weights (for two
     Gaussians of one variance, |(1 - s')(x0_theta - x0_ref)|^2 / (2 s'^2), exact) is minimised for a few epochs;
  3. export: the weights go to F16 in a new model folder (a copy of the starting folder with denoiser.safetensors
     replaced; Models/world-tiny is never written), and the next iteration rolls out with that folder.

The policy ratio uses the per-element mean log-probability (as Flow-GRPO does): a latent block has 3072 elements,
and the sum's ratio would saturate the clip at the first step. The records keep the exact sum (log_prob), and
every iteration reports how far the torch recomputation of it is from what flowrun recorded.

The history a block attends to is rebuilt from the records: the kept rollout of each block is the next group's
history, its K/V recomputed by the t = 0 pass with the weights that drew the rollouts (the visible positions of
each rollout come from the record, so KVPO-style routed branches replay exactly). The context gets no gradient.

Branch kinds and explorers (the comparisons of Training/README.md):
  --branching noise        independent noise per rollout (candidate 0: the plain run's draws)
  --branching kv-routing   shared noise; each rollout but the first attends to each window frame with prob --kv_keep
  --explorer drafter --anneal K   S2L-PO: in iteration i < K the first (1 - i/K) share of prompts is rolled out by
                           the drafter (the smaller sibling), the rest by the learner; trained as on-policy samples
                           of the learner's ratio (the old log-probability is the learner's at iteration start).

Seeds: rollout prompts and noise seeds are 70,000,000 + 1000 * iteration + prompt index; evaluation
(Training/README.md) uses scripts 71,000,000+.

    nice -n 10 python3 Training/grpo.py --iterations 2 --prompts 4 --group 4 --frames 36 \\
        --out Training/runs/grpo-noise --export Models/world-tiny-grpo
"""
from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import time

import numpy as np
import torch

import common
import import_shipped
import rollout_records as rr
import world
from models import Denoiser

ROLLOUT_SEED0 = 70_000_000
EVAL_SEED0 = 71_000_000
DEFAULT_FLOWRUN = os.path.join(common.REPO, ".build", "release", "flowrun")
GRAPH = os.path.join(common.REPO, "Graphs", "grpo-rollouts.yaml")


# ---------------------------------------------------------------- models

def load_denoiser(model_dir: str, name: str = "denoiser"):
    """(Denoiser, null_text [1, L, 384]) from an exported folder: the F16 weights flowrun runs, exactly."""
    cfg = json.load(open(os.path.join(model_dir, "config.json")))
    st = import_shipped.import_denoiser(model_dir, cfg, name)
    c = cfg[name]
    m = Denoiser(dim=c["dim"], depth=c["depth"], heads=c["heads"], pooled_text=c.get("pooled_text", False))
    m.load_state_dict(st["model"])
    if m.pooled_text:
        raise SystemExit("grpo.py: pooled_text denoisers are not supported yet (the records carry no sentence vectors)")
    null = import_shipped.load_file(os.path.join(model_dir, c["file"]))["null_text"].float()[None]
    return m, null, cfg


def velocity(m, x, t, pos, txt, null, prefix, guidance):
    """Classifier-free guided velocity, the unconditional call seeing the same prefix (BlockSampler.swift)."""
    B = x.shape[0]
    pre = None if prefix is None else [(k.expand(B, -1, -1, -1), v.expand(B, -1, -1, -1)) for k, v in prefix]
    vc = m(x, t, pos, txt.expand(B, -1, -1), prefix=pre)
    if guidance == 1:
        return vc
    vu = m(x, t, pos, null.expand(B, -1, -1), prefix=pre)
    return vu + guidance * (vc - vu)


# ---------------------------------------------------------------- replaying the records

class Batch:
    """The stochastic steps of one group: G rollouts x (steps - 1) transitions, sharing the group's prompt."""

    def __init__(self, group: rr.Group, block_frames: int, prefixes: list, guidance: float):
        steps = []
        for r, prefix in zip(group.rollouts, prefixes):
            for k in range(len(r.sigmas) - 1):
                steps.append((r, k, prefix))
        self.x = torch.from_numpy(np.stack([r.states[k] for r, k, _ in steps]))
        self.x_next = torch.from_numpy(np.stack([r.states[k + 1] for r, k, _ in steps]))
        self.sigma = torch.tensor([float(r.sigmas[k]) for r, k, _ in steps])
        self.sigma_next = torch.tensor([float(r.sigmas[k + 1]) for r, k, _ in steps])
        self.advantage = torch.tensor([float(r.advantage) for r, k, _ in steps])
        self.recorded = torch.tensor([float(r.log_probs[k]) for r, k, _ in steps], dtype=torch.float64)
        self.prefixes = [p for _, _, p in steps]
        self.pos = [group.block * block_frames + i for i in range(block_frames)]
        self.txt = torch.from_numpy(group.text_states)[None]
        self.guidance = guidance
        self.old_mean = None      # per-element mean log-prob under the weights that drew the rollouts
        self.ref_x0 = None        # x0 of the starting weights (KL)

    def x0(self, m, null):
        """x0 predictions [N, F, C, H, W], one model call per distinct prefix (all steps of a group share one unless
        the branches routed the history)."""
        out = torch.empty_like(self.x)
        order = {}
        for i, p in enumerate(self.prefixes):
            order.setdefault(id(p), (p, []))[1].append(i)
        for p, idx in order.values():
            ii = torch.tensor(idx)
            x = self.x[ii]
            t = (1000.0 * self.sigma[ii])[:, None].expand(-1, x.shape[1])
            v = velocity(m, x, t, self.pos, self.txt, null, p, self.guidance)
            out[ii] = x - self.sigma[ii].view(-1, 1, 1, 1, 1) * v
        return out

    def log_prob(self, x0, mean=True):
        s = self.sigma_next.view(-1, 1, 1, 1, 1).to(x0.dtype)
        eps = (self.x_next.to(x0.dtype) - (1 - s) * x0) / s
        d = eps[0].numel()
        per = -0.5 * (eps * eps).flatten(1).sum(1) - d * torch.log(self.sigma_next.to(x0.dtype)) - 0.5 * d * math.log(2 * math.pi)
        return per / d if mean else per


def replay(path: str, m, null, guidance_override=None):
    """Rebuilds each group's attention prefixes from a rollout file with the weights `m` (the ones that drew it)."""
    header, groups = rr.read_rollouts(path)
    guidance = header.guidance if guidance_override is None else guidance_override
    bf = header.block_frames
    T = m.cfg["tokens_per_frame"]
    cache = {}                                   # latent frame position -> [(K, V)] per layer, [1, h, T, hd]
    batches = []
    with torch.no_grad():
        for g in sorted(groups, key=lambda g: g.block):
            def prefix(positions):
                missing = [p for p in positions if p not in cache]
                if missing:
                    raise ValueError(f"{path}: block {g.block} attends to frames {missing} that no kept rollout made")
                if not positions:
                    return None
                return [(torch.cat([cache[p][l][0] for p in positions], 2), torch.cat([cache[p][l][1] for p in positions], 2))
                        for l in range(len(m.blocks))]
            shared = {}
            prefixes = [shared.setdefault(tuple(r.visible_positions), prefix(r.visible_positions)) for r in g.rollouts]
            batches.append(Batch(g, bf, prefixes, guidance))
            kept = [r for r in g.rollouts if r.kept]
            if len(kept) != 1:
                raise ValueError(f"{path}: block {g.block} keeps {len(kept)} rollouts; grpo.py replays one history")
            k = kept[0]
            pos = [g.block * bf + i for i in range(bf)]
            x0 = torch.from_numpy(k.predictions[-1])[None]
            txt = torch.from_numpy(g.text_states)[None]
            _, kvs = m(x0, torch.zeros(1, bf), pos, txt, prefix=prefix(k.visible_positions), return_kv=True)
            for fi, p in enumerate(pos):
                cache[p] = [(kk[:, :, fi * T:(fi + 1) * T], vv[:, :, fi * T:(fi + 1) * T]) for kk, vv in kvs]
    return header, batches


# ---------------------------------------------------------------- one iteration

def rollout(a, it: int, model_dir: str, run_dir: str) -> list[dict]:
    """Runs the rollout graph once per prompt; returns what each run was."""
    runs = []
    explorer_share = max(0.0, 1.0 - it / a.anneal) if a.explorer == "drafter" and a.anneal > 0 else 0.0
    n_explorer = int(round(explorer_share * a.prompts))
    for j in range(a.prompts):
        seed = ROLLOUT_SEED0 + 1000 * it + j
        prompt = world.make_script(seed, a.frames, n_switches=0, two_objects=False, split="train").prompts()[0][1]
        weights = "drafter" if j < n_explorer else "denoiser"
        out = os.path.join(run_dir, f"rollouts-{j:03d}.pb")
        cmd = [a.flowrun, GRAPH, "--set", f"model={model_dir}", "--set", f"prompt={prompt}", "--set", f"seed={seed}",
               "--set", f"group={a.group}", "--set", f"frames={a.frames}", "--set", f"branching={a.branching}",
               "--set", f"kv_keep={a.kv_keep}", "--set", f"weights={weights}", "--set", f"scorer={a.scorer}",
               "--set", f"out={out}", "--set", f"video={os.path.join(run_dir, f'kept-{j:03d}.mp4')}"]
        t0 = time.time()
        p = subprocess.run(cmd, capture_output=True, text=True)
        wall = time.time() - t0
        if p.returncode != 0:
            raise SystemExit(f"grpo.py: flowrun failed ({p.returncode}) for prompt {j}:\n{' '.join(cmd)}\n{p.stderr[-3000:]}")
        line = next((l for l in p.stderr.splitlines() + p.stdout.splitlines() if "rollout.writer:" in l), "")
        runs.append(dict(prompt=prompt, seed=seed, weights=weights, path=out, wall_s=round(wall, 2), log=line.strip()))
        print(f"  rollout {j}: {weights}, seed {seed}, {wall:.1f} s: {line.strip()[:160]}", flush=True)
    return runs


def train(a, it: int, runs: list[dict], model, old, ref, null) -> dict:
    """Updates `model` (the F32 learner) in place on the iteration's rollouts; `old` is what flowrun ran (the F16
    export the rollouts came from): the ratio's denominator and the check against the recorded log-probabilities."""
    batches, own = [], []
    for r in runs:
        # The learner attends to its own K/V of the history, whoever drew the frames: the prefixes are rebuilt
        # with `old` for the drafter's (S2L-PO explorer) files too.
        _, bs = replay(r["path"], old, null)
        batches.extend(bs)
        own.extend([r["weights"] == "denoiser"] * len(bs))
    gap = []
    with torch.no_grad():
        for b, mine in zip(batches, own):
            x0_old = b.x0(old, null)
            b.old_mean = b.log_prob(x0_old)
            b.ref_x0 = b.x0(ref, null)
            if mine:    # the drafter's recorded log-probabilities are the drafter's, not comparable
                gap.append((b.log_prob(x0_old.double(), mean=False) - b.recorded).abs() / b.x[0].numel())
    gap = torch.cat(gap) if gap else torch.zeros(1)
    opt = torch.optim.AdamW(model.parameters(), lr=a.lr, weight_decay=0.0)
    stats = dict(loss=[], kl=[], clipped=[], ratio_dev=[])
    rng = np.random.default_rng(it)
    model.train()
    for epoch in range(a.epochs):
        for bi in rng.permutation(len(batches)):
            b = batches[bi]
            if float(b.advantage.abs().max()) == 0:
                continue                                   # a group with equal rewards says nothing
            x0 = b.x0(model, null)
            ratio = torch.exp(b.log_prob(x0) - b.old_mean)
            adv = b.advantage.clamp(-a.adv_clip, a.adv_clip)
            pg = -torch.min(ratio * adv, ratio.clamp(1 - a.clip, 1 + a.clip) * adv).mean()
            s = b.sigma_next.view(-1, 1, 1, 1, 1)
            kl = (((1 - s) * (x0 - b.ref_x0)) ** 2 / (2 * s * s)).flatten(1).mean(1).mean()
            loss = pg + a.beta * kl
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            stats["loss"].append(loss.item())
            stats["kl"].append(kl.item())
            stats["clipped"].append(float(((ratio.detach() - 1).abs() > a.clip).float().mean()))
            stats["ratio_dev"].append(float((ratio.detach() - 1).abs().mean()))
    model.eval()
    return dict(groups=len(batches), transitions=int(sum(len(b.advantage) for b in batches)),
                updates=len(stats["loss"]), loss=float(np.mean(stats["loss"])) if stats["loss"] else None,
                kl=float(np.mean(stats["kl"])) if stats["kl"] else None,
                clipped=float(np.mean(stats["clipped"])) if stats["clipped"] else None,
                ratio_dev=float(np.mean(stats["ratio_dev"])) if stats["ratio_dev"] else None,
                logprob_gap_per_element_max=float(gap.max()), logprob_gap_per_element_mean=float(gap.mean()))


def export_model(model, src_dir: str, dst_dir: str, note: dict):
    """A copy of src_dir with denoiser.safetensors holding `model` in F16 (export.py's writer) and config.json noting it."""
    if os.path.abspath(dst_dir) == os.path.abspath(os.path.join(common.REPO, "Models", "world-tiny")):
        raise SystemExit("grpo.py: refusing to overwrite Models/world-tiny; export to another folder")
    import export as exporter
    os.makedirs(dst_dir, exist_ok=True)
    for f in os.listdir(src_dir):
        if f != "denoiser.safetensors" and os.path.isfile(os.path.join(src_dir, f)):
            if os.path.abspath(src_dir) != os.path.abspath(dst_dir):
                shutil.copy2(os.path.join(src_dir, f), os.path.join(dst_dir, f))
    cfg = json.load(open(os.path.join(src_dir, "config.json")))
    null = import_shipped.load_file(os.path.join(src_dir, cfg["denoiser"]["file"]))["null_text"].float().numpy()
    exporter.OUT = dst_dir
    tmp = dict(model.state_dict())
    info = exporter._save("denoiser.safetensors", tmp, extra={"null_text": null})
    cfg["denoiser"].update(info)
    cfg["denoiser"]["grpo"] = note
    cfg["name"] = os.path.basename(os.path.abspath(dst_dir))
    with open(os.path.join(dst_dir, "config.json"), "w") as f:
        json.dump(cfg, f, indent=1)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default=os.path.join(common.REPO, "Models", "world-tiny"), help="starting model folder")
    ap.add_argument("--export", required=True, help="model folder the fine-tuned denoiser is exported to (never Models/world-tiny)")
    ap.add_argument("--out", required=True, help="run folder: rollout files per iteration and log.json")
    ap.add_argument("--flowrun", default=DEFAULT_FLOWRUN)
    ap.add_argument("--iterations", type=int, default=2)
    ap.add_argument("--prompts", type=int, default=4, help="training prompts (rollout graph runs) per iteration")
    ap.add_argument("--group", type=int, default=4, help="G: rollouts per block")
    ap.add_argument("--frames", type=int, default=36, help="frames per rollout run (blocks of 12: one group per block)")
    ap.add_argument("--branching", default="noise", choices=["noise", "kv-routing"])
    ap.add_argument("--kv_keep", type=float, default=0.5)
    ap.add_argument("--explorer", default="none", choices=["none", "drafter"], help="S2L-PO: drafter rollouts first")
    ap.add_argument("--anneal", type=int, default=2, help="S2L-PO: iterations over which the drafter's share falls to 0")
    ap.add_argument("--scorer", default="reward.scorer", choices=["reward.scorer", "reward.verifier"])
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--lr", type=float, default=2e-5)
    ap.add_argument("--clip", type=float, default=0.2, help="PPO clip on the ratio")
    ap.add_argument("--adv_clip", type=float, default=5.0)
    ap.add_argument("--beta", type=float, default=0.01, help="weight of the KL to the starting weights")
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args(argv)
    common.setup_threads(a.threads)
    torch.manual_seed(0)
    if not os.path.exists(a.flowrun):
        raise SystemExit(f"grpo.py: no flowrun at {a.flowrun} (swift build -c release --product flowrun)")
    os.makedirs(a.out, exist_ok=True)
    ref, null, _ = load_denoiser(a.model)
    ref.eval()
    for p in ref.parameters():
        p.requires_grad_(False)
    # The learner stays F32 across iterations (an F16 round trip would lose updates smaller than F16's step);
    # each iteration's rollouts come from its F16 export, which is also the ratio's old policy.
    learner = load_denoiser(a.model)[0]
    model_dir = os.path.abspath(a.model)
    a.export = os.path.abspath(a.export)
    log = dict(args=vars(a), iterations=[])
    for it in range(a.iterations):
        print(f"iteration {it}: rollouts with {model_dir}", flush=True)
        run_dir = os.path.abspath(os.path.join(a.out, f"iter-{it:02d}"))   # flowrun resolves relative paths against the graph
        os.makedirs(run_dir, exist_ok=True)
        t0 = time.time()
        runs = rollout(a, it, model_dir, run_dir)
        t_roll = time.time() - t0
        # The learner as flowrun ran it: the F16 weights of the folder just rolled out.
        old = load_denoiser(model_dir)[0].eval()
        t0 = time.time()
        tr = train(a, it, runs, learner, old, ref, null)
        t_train = time.time() - t0
        rewards = [float(r.reward) for run in runs for g in rr.read_rollouts(run["path"])[1] for r in g.rollouts]
        note = dict(iteration=it + 1, start=os.path.relpath(a.model, common.REPO), branching=a.branching, explorer=a.explorer,
                    group=a.group, prompts_per_iteration=a.prompts, frames=a.frames, lr=a.lr, beta=a.beta, clip=a.clip,
                    rollout_seeds=f"{ROLLOUT_SEED0}+1000*iteration+prompt")
        export_model(learner, model_dir, a.export, note)
        entry = dict(iteration=it, model=model_dir, rollout_s=round(t_roll, 1), train_s=round(t_train, 1),
                     rollout_reward_mean=float(np.mean(rewards)), runs=runs, train=tr)
        log["iterations"].append(entry)
        print(f"  train: {json.dumps(tr)}\n  mean rollout reward {entry['rollout_reward_mean']:.4f}; "
              f"rollouts {t_roll:.0f} s, training {t_train:.0f} s; exported to {a.export}", flush=True)
        model_dir = a.export
        with open(os.path.join(a.out, "log.json"), "w") as f:
            json.dump(log, f, indent=1)
    print(f"done: {a.iterations} iteration(s); model {a.export}; log {os.path.join(a.out, 'log.json')}")



if __name__ == "__main__":
    main()

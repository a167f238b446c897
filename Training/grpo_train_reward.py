"""The reward GRPO optimises, on prompts it trained on: Graphs/grpo-rollouts.yaml with each model folder on the
prompts and noise seeds of Training/grpo.py's iteration 0 (70,000,000 + prompt index), mean reward of all G rollouts
of every block. Every model sees the same prompts and draws, so the figures compare directly (the first model is
usually the starting one, whose iteration-0 rollouts these are).

    nice -n 10 python3 Training/grpo_train_reward.py Models/world-tiny out/grpo/models/world-tiny-grpo-noise
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import tempfile

import numpy as np

import grpo
import rollout_records as rr
import world


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("models", nargs="+")
    ap.add_argument("--flowrun", default=grpo.DEFAULT_FLOWRUN)
    ap.add_argument("--prompts", type=int, default=6)
    ap.add_argument("--group", type=int, default=4)
    ap.add_argument("--frames", type=int, default=48)
    a = ap.parse_args()
    results = {}
    with tempfile.TemporaryDirectory() as d:
        for m in a.models:
            per_prompt = []
            for j in range(a.prompts):
                seed = grpo.ROLLOUT_SEED0 + j
                prompt = world.make_script(seed, a.frames, n_switches=0, two_objects=False, split="train").prompts()[0][1]
                out = os.path.join(d, f"{j}.pb")
                subprocess.run([a.flowrun, grpo.GRAPH, "--set", f"model={os.path.abspath(m)}", "--set", f"prompt={prompt}",
                                "--set", f"seed={seed}", "--set", f"group={a.group}", "--set", f"frames={a.frames}",
                                "--set", f"out={out}", "--set", f"video={os.path.join(d, 'kept.mp4')}"], check=True, capture_output=True)
                _, groups = rr.read_rollouts(out)
                per_prompt.append(float(np.mean([r.reward for g in groups for r in g.rollouts])))
            results[m] = dict(mean=float(np.mean(per_prompt)), per_prompt=[round(x, 4) for x in per_prompt])
            print(f"{m:55s} {results[m]['mean']:.4f}  {results[m]['per_prompt']}", flush=True)
    print(json.dumps(results))


if __name__ == "__main__":
    main()

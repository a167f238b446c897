"""Rollouts per second: Graphs/grpo-rollouts.yaml through flowrun against the same work as a Python loop with torch
(Training/rollout_peer.py), measured side by side in one run, interleaved, medians of --reps.

Start-up (process start, model loading, text encoding) is taken out the same way for both: each side runs a short
and a long clip, and the rate is the extra rollouts of the long clip over its extra seconds. On a machine shared with
other jobs wall seconds are noisy, so rates per CPU second (the flowrun process's user + system time; the torch
loop's process time) are printed too. flowrun runs as a user
runs it (its scheduler, every core); torch gets --threads (default: every core).

    nice -n 5 python3 Training/rollout_bench.py --group 4 --short 24 --long 72 --reps 3
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import tempfile
import time

import torch

import common
import grpo
import rollout_peer


def flowrun_seconds(a, frames: int, out: str) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the process)."""
    cmd = [a.flowrun, grpo.GRAPH, "--set", f"model={a.model}", "--set", f"prompt={a.prompt}", "--set", f"group={a.group}",
           "--set", f"frames={frames}", "--set", f"seed={a.seed}", "--set", f"out={out}", "--set", f"video={out}.mp4"]
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    if p.returncode != 0:
        raise SystemExit(f"flowrun failed: {p.stderr[-2000:]}")
    return wall, (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)


def peer_seconds(peer, a, states, frames: int, out: str) -> tuple[float, float]:
    c0, t0 = time.process_time(), time.perf_counter()
    peer.run(a.prompt, states, frames, a.group, a.seed, out)
    return time.perf_counter() - t0, time.process_time() - c0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", default=os.path.join(common.REPO, "Models", "world-tiny"))
    ap.add_argument("--flowrun", default=grpo.DEFAULT_FLOWRUN)
    ap.add_argument("--prompt", default="a large red circle moves right on a dark blue background")
    ap.add_argument("--group", type=int, default=4)
    ap.add_argument("--short", type=int, default=24, help="frames of the short clip")
    ap.add_argument("--long", type=int, default=72, help="frames of the long clip")
    ap.add_argument("--seed", type=int, default=70_900_000)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    a = ap.parse_args()
    import textenc
    states = textenc.TextEncoder().encode(a.prompt)
    peer = rollout_peer.Peer(a.model, a.threads)
    extra = ((a.long + 11) // 12 - (a.short + 11) // 12) * a.group
    fl, py, fl_cpu, py_cpu = [], [], [], []
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "r.pb")
        for rep in range(a.reps):
            (fs, fsc), (flg, flc) = flowrun_seconds(a, a.short, out), flowrun_seconds(a, a.long, out)
            (ps, psc), (plg, plc) = peer_seconds(peer, a, states, a.short, out), peer_seconds(peer, a, states, a.long, out)
            fl.append(extra / max(flg - fs, 1e-9))
            py.append(extra / max(plg - ps, 1e-9))
            fl_cpu.append(extra / max(flc - fsc, 1e-9))
            py_cpu.append(extra / max(plc - psc, 1e-9))
            print(f"rep {rep}: flowrun {fs:.2f} s / {a.short} frames, {flg:.2f} s / {a.long} frames -> {fl[-1]:.2f} rollouts/s "
                  f"({fl_cpu[-1]:.2f} per CPU second); torch loop {ps:.2f} s, {plg:.2f} s -> {py[-1]:.2f} rollouts/s "
                  f"({py_cpu[-1]:.2f} per CPU second); load {os.getloadavg()[0]:.1f}", flush=True)
    f, p = statistics.median(fl), statistics.median(py)
    fc, pc = statistics.median(fl_cpu), statistics.median(py_cpu)
    print(json.dumps(dict(group=a.group, short=a.short, long=a.long, reps=a.reps, flowrun_rollouts_per_s=round(f, 3),
                          torch_rollouts_per_s=round(p, 3), ratio=round(f / p, 3), flowrun_rollouts_per_cpu_s=round(fc, 3),
                          torch_rollouts_per_cpu_s=round(pc, 3), cpu_ratio=round(fc / pc, 3), cores=os.cpu_count(), torch=torch.__version__,
                          torch_threads=a.threads, machine=platform.processor() or platform.machine(),
                          load_avg=os.getloadavg())))


if __name__ == "__main__":
    main()

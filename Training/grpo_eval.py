"""Before/after figures of GRPO (issue 18): the learned reward and the analyzer's adherence of model folders on
held-out scripts, through flowrun.

Every model runs Graphs/lib/search-video.yaml with one candidate of one beam and no noise sharing (pixel for pixel
the plain stream: LongLiveTests' testASearchOfOneCandidateIsThePlainStream), so search.select's end-of-run line
gives the mean block reward of exactly the frames the analyzer reads. Scripts are eval_flowrun.py's (prompt switches,
25% two-object scenes) from seed 71,000,000 on: never used for rollouts (Training/grpo.py draws 70,000,000+).

    nice -n 10 python3 Training/grpo_eval.py --models Models/world-tiny Models/world-tiny-grpo --n 16 --seconds 6 \\
        --out out/grpo_eval.json
"""
from __future__ import annotations

import argparse
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, HERE)

import eval_flowrun  # noqa: E402

EVAL_SEED0 = 71_000_000
REWARD = re.compile(r"block reward of the best kept ([0-9.]+)")


def evaluate(model: str, a) -> dict:
    lib = os.path.join(REPO, "Graphs", "lib", "search-video.yaml")
    args = ["--lib", lib, "--param", "candidates=1", "--param", "beams=1", "--param", "noise_share=0",
            "--capture", "search:", "--model", model, "--flowrun", a.flowrun, "--n", str(a.n), "--seed0", str(a.seed0),
            "--seconds", str(a.seconds), "--jobs", str(a.jobs)]
    out = os.path.join(a.work, os.path.basename(os.path.abspath(model)) + ".json")
    doc = None
    if a.reuse and os.path.exists(out):
        with open(out) as f:
            doc = json.load(f)
        same = {k: doc["args"][k] for k in ("n", "seed0", "seconds", "lib")} == dict(n=a.n, seed0=a.seed0, seconds=a.seconds, lib=lib) \
            and os.path.abspath(doc["args"]["model"]) == os.path.abspath(model)
        if not same:
            doc = None
        else:
            print(f"{model}: reusing {out}", flush=True)
    if doc is None:
        eval_flowrun.main(args + ["--out", out])
        with open(out) as f:
            doc = json.load(f)
    rewards = []
    for run in doc["runs"]:
        found = [float(m.group(1)) for line in run["captured"] for m in [REWARD.search(line)] if m]
        if not found:
            raise SystemExit(f"{model}: script {run['seed']}: no search line in the log (captured {run['captured']})")
        rewards.append(found[-1])
    one = doc["summary"]["single"]
    return dict(model=os.path.relpath(os.path.abspath(model), REPO), reward=sum(rewards) / len(rewards), rewards=rewards,
                single_all=one["all"], single_colour=one["colour"], single_shape=one["shape"], single_motion=one["motion"],
                switch_within_block=one["switch_within_block"], two_all=doc["summary"]["two"]["all"],
                windows=one["n_windows"], switches=one["switches"], clips=doc["summary"]["n_runs"])


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", nargs="+", required=True)
    ap.add_argument("--flowrun", default=eval_flowrun.DEFAULT_FLOWRUN)
    ap.add_argument("--n", type=int, default=16)
    ap.add_argument("--seed0", type=int, default=EVAL_SEED0)
    ap.add_argument("--seconds", type=float, default=6.0)
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--work", default=os.path.join(REPO, "out", "grpo_eval"))
    ap.add_argument("--out", default=None)
    ap.add_argument("--reuse", action="store_true", help="reuse a model's measurement in --work made with the same settings")
    ap.add_argument("--card", default=None, help="write the model card's GRPO section (markdown) here, e.g. Models/world-tiny/grpo.md")
    a = ap.parse_args(argv)
    os.makedirs(a.work, exist_ok=True)
    results = [evaluate(m, a) for m in a.models]
    print(f"\n{a.n} scripts from {a.seed0}, {a.seconds} s each (reward: reward.scorer's mean block probability; "
          "analyzer: single-object windows)")
    print(f"{'model':40s} {'reward':>7s} {'all-correct':>12s} {'colour':>7s} {'shape':>7s} {'motion':>7s} {'switch<=block':>14s}")
    pct = lambda x: "   -" if x is None else f"{100 * x:.1f}%"  # noqa: E731
    for r in results:
        print(f"{r['model']:40s} {r['reward']:7.4f} {pct(r['single_all']):>12s} {pct(r['single_colour']):>7s} "
              f"{pct(r['single_shape']):>7s} {pct(r['single_motion']):>7s} {pct(r['switch_within_block']):>14s}")
    if a.out:
        with open(a.out, "w") as f:
            json.dump(dict(args=vars(a), results=results), f, indent=1)
    if a.card:
        with open(a.card, "w") as f:
            f.write(card_section(results, a))


def training_note(model: str) -> str:
    """What Training/grpo.py wrote into the folder's config.json (denoiser.grpo), in words."""
    with open(os.path.join(model, "config.json")) as f:
        g = json.load(f)["denoiser"].get("grpo")
    if not g:
        return "starting weights"
    explorer = "S2L-PO (drafter rollouts first)" if g["explorer"] == "drafter" else "own rollouts"
    return (f"GRPO, {g['iteration']} iteration(s), {g['branching']} branches, {explorer}; {g['prompts_per_iteration']} prompts "
            f"x {g['frames']} frames x G {g['group']} a iteration, lr {g['lr']}, beta {g['beta']}")


def paired(base: dict, r: dict) -> str:
    """Mean difference of per-script rewards from the first model's, with its standard error (same scripts, same draws)."""
    if r is base:
        return "-"
    d = [x - y for x, y in zip(r["rewards"], base["rewards"])]
    mean = sum(d) / len(d)
    se = (sum((x - mean) ** 2 for x in d) / (len(d) - 1) / len(d)) ** 0.5 if len(d) > 1 else float("nan")
    return f"{mean:+.4f} +- {se:.4f}"


def card_section(results: list[dict], a) -> str:
    """The model card's GRPO section (Training/model_card.py appends grpo.md next to the card)."""
    pct = lambda x: "-" if x is None else f"{100 * x:.1f}%"  # noqa: E731
    rows = [f"| {r['model']} | {training_note(os.path.join(REPO, r['model']))} | {r['reward']:.4f} | {paired(results[0], r)} | "
            f"{pct(r['single_all'])} | {pct(r['switch_within_block'])} | {pct(r['single_colour'])} | {pct(r['single_motion'])} |"
            for r in results]
    return "\n".join([
        "## GRPO on flowrun rollouts (issue 18)",
        "",
        f"Measured by Training/grpo_eval.py through flowrun on {a.n} scripts from {a.seed0:,} ({a.seconds:g} s each, prompt "
        "switches and two-object scenes as in eval_flowrun.py), seeds never used for rollouts (Training/grpo.py: "
        "70,000,000+). Reward: reward.scorer's mean block probability; analyzer: single-object windows. Method and "
        "commands: Training/README.md \"GRPO\". The analyzer columns rest on "
        f"{results[0]['windows']} single-object windows and {results[0]['switches']} switches of these {a.n} scripts (one window is "
        f"{100 / max(results[0]['windows'], 1):.1f} points, one switch {100 / max(results[0]['switches'], 1):.1f}): the reward column, "
        f"{a.n} scripts x {eval_flowrun.clip_frames(a.seconds) // 12} blocks, is the one that separates runs.",
        "",
        "| model | training | reward | reward - first row (paired over scripts, +- s.e.) | all-correct | switch within one block | colour | motion |",
        "|---|---|---|---|---|---|---|---|",
        *rows,
        "",
    ])


if __name__ == "__main__":
    main()

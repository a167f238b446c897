"""Markdown tables of issue 14's measurements (Training/eval_test_time_scaling.sh writes the JSON files):
quality (analyzer, single- and two-object windows) against compute and speed, per configuration.

    python3 Training/tts_table.py out/eval14
"""
from __future__ import annotations

import glob
import json
import os
import re
import sys

KEPT = re.compile(r"(\d+) of (\d+) block\(s\) kept from the drafter")
SEARCH = re.compile(r"block reward of the best kept ([\d.]+), candidate mean ([\d.]+), candidate 0 ([\d.]+)")


def pct(x):
    return "-" if x is None else f"{100 * x:.1f}%"


def label(name: str, params: list[str]) -> str:
    return name if not params else f"{name} ({', '.join(params)})"


def acceptance(runs) -> str:
    kept = total = 0
    for r in runs:
        for line in r.get("captured", []):
            m = KEPT.search(line)
            if m:
                kept += int(m.group(1))
                total += int(m.group(2))
    return "-" if total == 0 else f"{100 * kept / total:.1f}%"


def search_reward(runs) -> str:
    rows = [SEARCH.search(line) for r in runs for line in r.get("captured", [])]
    rows = [m for m in rows if m]
    if not rows:
        return "-"
    mean = lambda i: sum(float(m.group(i)) for m in rows) / len(rows)
    return f"{mean(1):.3f} / {mean(3):.3f}"


def main(folder: str) -> None:
    results = {}
    for path in sorted(glob.glob(os.path.join(folder, "*.json"))):
        with open(path) as f:
            results[os.path.splitext(os.path.basename(path))[0]] = json.load(f)
    if not results:
        sys.exit(f"no JSON results in {folder}")
    any_args = next(iter(results.values()))["args"]
    print(f"Scripts {any_args['seed0']:,}+ (n = {any_args['n']} per configuration, {any_args['seconds']:.0f} s clips, "
          f"vocab {any_args['vocab']}, noise seeds {any_args['noise_seeds']}), judged by Training/analyzer.py.\n")
    print("| configuration | single: colour | shape | motion | all four | switch <= 1 block | object present | "
          "two objects: both present | candidate blocks per block | frames/s (shared machine) | drafts kept | reward kept / candidate 0 |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for name, r in results.items():
        s1, s2, summary = r["summary"]["single"], r["summary"]["two"], r["summary"]
        params = dict(p.split("=", 1) for p in r["args"]["param"])
        cost = str(int(params.get("candidates", 1)) * int(params.get("beams", 1))) if "candidates" in params else "1"
        print(f"| {label(name, r['args']['param'])} | {pct(s1['colour'])} | {pct(s1['shape'])} | {pct(s1['motion'])} | "
              f"{pct(s1['all'])} | {pct(s1['switch_within_block'])} | {pct(s1['persistence'])} | {pct(s2['persistence'])} | "
              f"{cost} | {summary['fps']:.1f} | {acceptance(r['runs'])} | {search_reward(r['runs'])} |")
    counts = {n: (r["summary"]["single"]["n_windows"], r["summary"]["two"]["n_windows"]) for n, r in results.items()}
    print(f"\nWindows judged (single, two objects): {sorted(set(counts.values()))}.")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "out/eval14")
